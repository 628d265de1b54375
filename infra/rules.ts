// CloudFormation Rules, shared by the parameters that depend on each other (infra/mail.ts,
// infra/forms.ts): checked before any change is made, so that settings that cannot work
// together fail the deploy with a sentence, not a function that fails at cold start.
import {
  type CfnParameter,
  CfnRule,
  Fn,
  type ICfnConditionExpression,
  type Stack
} from "aws-cdk-lib"

export const isEmpty = (parameter: CfnParameter) => Fn.conditionEquals(parameter.valueAsString, "")
export const isSet = (parameter: CfnParameter) => Fn.conditionNot(isEmpty(parameter))

/** When `when` holds, every assertion must, or the deploy is refused with its description. */
export const rule = (
  stack: Stack,
  id: string,
  when: ICfnConditionExpression,
  asserts: [ICfnConditionExpression, string][]
) =>
  new CfnRule(stack, id, {
    ruleCondition: when,
    assertions: asserts.map(([assert, assertDescription]) => ({ assert, assertDescription }))
  })
