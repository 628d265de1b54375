// What both functions' roles are built from: a role of their own that writes only its own
// log group, reads only the secrets it uses, and decrypts them only when a
// customer-managed key is given. (Sending mail: infra/mail.ts.)
import { ArnFormat, Aws, type CfnCondition, type Stack } from "aws-cdk-lib"
import * as iam from "aws-cdk-lib/aws-iam"
import type * as logs from "aws-cdk-lib/aws-logs"
import type { Parameters } from "./parameters.js"

// An explicit role instead of AWSLambdaBasicExecutionRole, whose logs statement is on `*`.
export const functionRole = (
  stack: Stack,
  id: string,
  description: string,
  logGroup: logs.ILogGroup
) => {
  const role = new iam.Role(stack, id, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    description
  })
  logGroup.grantWrite(role)
  return role
}

// Secrets Manager names: letters, digits and /_+=.@- . Not an ARN: the policy appends the
// six-character suffix wildcard to the name itself. Not empty either: for the application
// an empty SMTP_SECRET_ID means an unauthenticated relay, which Lambda has no business with.
export const SECRET_NAME_CHARACTERS = "[A-Za-z0-9/_+=.@-]"
export const SECRET_NAME = `^${SECRET_NAME_CHARACTERS}{1,512}$`

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
// key does. The policy exists only when SecretsKmsKeyArn is set (and the role reads a
// secret at all: `when`), and only for calls that Secrets Manager makes on the function's
// behalf. Created in the stack, not in the role: a function cannot depend on a resource
// that may not exist (cfn-lint E3005).
export const grantKmsDecrypt = (
  stack: Stack,
  id: string,
  role: iam.Role,
  p: Parameters,
  when: CfnCondition = p.hasKmsKey
) => {
  const policy = new iam.CfnPolicy(stack, id, {
    policyName: "decrypt-contact-form-secrets",
    roles: [role.roleName],
    policyDocument: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          actions: ["kms:Decrypt"],
          resources: [p.secretsKmsKeyArn.valueAsString],
          conditions: {
            StringEquals: { "kms:ViaService": `secretsmanager.${Aws.REGION}.amazonaws.com` }
          }
        })
      ]
    })
  })
  policy.cfnOptions.condition = when
}
