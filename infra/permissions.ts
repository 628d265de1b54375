// What both functions' roles are built from: a role of their own that writes only its own
// log group, reads only the secrets it uses, and decrypts them only when a
// customer-managed key is given. (Delivering: infra/delivery.ts.)
import { ArnFormat, Aws, type Stack } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import type * as logs from "aws-cdk-lib/aws-logs"
import type { Construct } from "constructs"
import { createIf, type Decision } from "./decision.js"

// An explicit role instead of AWSLambdaBasicExecutionRole, whose logs statement is on `*`.
export const functionRole = (
  scope: Construct,
  id: string,
  description: string,
  logGroup: logs.ILogGroup
) => {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    description
  })
  logGroup.grantWrite(role)
  return role
}

// A secret's ARN ends in "-" and six random characters. `?` matches exactly one
// character, so `<name>-??????` matches this secret and no other: a secret named
// `<name>-x` has the ARN `<name>-x-AbC123`, seven characters too long.
export const secretArn = (stack: Stack, name: string) =>
  stack.formatArn({
    service: "secretsmanager",
    resource: "secret",
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME
  })

/** `secretArns`: from `secretArn`, never a bare name nor `*`. */
export const grantSecretsRead = (role: iam.Role, secretArns: string[]) =>
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: "ReadContactFormSecrets",
      actions: ["secretsmanager:GetSecretValue"],
      resources: secretArns
    })
  )

// Secrets encrypted with the AWS-managed key need no KMS permission; a customer-managed
// key does. The policy exists only when a key is given (and the role reads a secret at
// all: `when`), and only for calls that Secrets Manager makes on the function's behalf.
// Created beside the role, not in it: a function cannot depend on a resource that may not
// exist (cfn-lint E3005); when it exists for sure, the function waits for it.
export const grantKmsDecrypt = (
  scope: Construct,
  id: string,
  role: iam.Role,
  keyArn: string | undefined,
  when: Decision
) =>
  keyArn === undefined
    ? undefined
    : createIf(
        when,
        () =>
          new iam.CfnPolicy(scope, id, {
            policyName: "decrypt-contact-form-secrets",
            roles: [role.roleName],
            policyDocument: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  actions: ["kms:Decrypt"],
                  resources: [keyArn],
                  conditions: {
                    StringEquals: { "kms:ViaService": `secretsmanager.${Aws.REGION}.amazonaws.com` }
                  }
                })
              ]
            })
          })
      )

/** A function waits for its decrypt policy when the policy surely exists. */
export const waitFor = (fn: lambda.Function, policy: iam.CfnPolicy | undefined) => {
  if (policy !== undefined && policy.cfnOptions.condition === undefined) {
    fn.node.addDependency(policy)
  }
}
