// What the construct decides from its props: known when it is built (a value in the code),
// or only at deploy time (a CloudFormation parameter's value, a token). A known decision is
// taken in TypeScript and leaves no trace in the template; a deploy-time one becomes a
// CfnCondition under a fixed id, so that the stack built on parameters keeps the very
// conditions (and logical ids) it always had, and a construct user's template has none.
import {
  Aws,
  CfnCondition,
  type CfnResource,
  Fn,
  type ICfnConditionExpression,
  Token
} from "aws-cdk-lib"
import type { Construct } from "constructs"

export type Decision = boolean | CfnCondition

export const isDeployTime = (value: unknown): boolean => Token.isUnresolved(value)

const condition = (scope: Construct, id: string, expression: ICfnConditionExpression) =>
  new CfnCondition(scope, id, { expression })

/** The setting is given and not empty (the application takes an empty variable for unset). */
export const given = (scope: Construct, id: string, value: string | undefined): Decision =>
  value === undefined
    ? false
    : isDeployTime(value)
      ? condition(scope, id, Fn.conditionNot(Fn.conditionEquals(value, "")))
      : value !== ""

export const equals = (scope: Construct, id: string, value: string, expected: string): Decision =>
  isDeployTime(value)
    ? condition(scope, id, Fn.conditionEquals(value, expected))
    : value === expected

export const not = (scope: Construct, id: string, d: Decision): Decision =>
  typeof d === "boolean" ? !d : condition(scope, id, Fn.conditionNot(d))

// Fn::And and Fn::Or take 2 to 10 conditions: longer lists are nested by tens.
const nested = (
  combine: (...conditions: ICfnConditionExpression[]) => ICfnConditionExpression,
  list: ReadonlyArray<ICfnConditionExpression>
): ICfnConditionExpression => {
  if (list.length === 1 && list[0] !== undefined) return list[0]
  if (list.length <= 10) return combine(...list)
  const groups = Array.from({ length: Math.ceil(list.length / 10) }, (_, i) =>
    nested(combine, list.slice(i * 10, i * 10 + 10))
  )
  return nested(combine, groups)
}

/** A part of `all` or `any`: known, a condition, or an expression on a parameter's value. */
export type Part = Decision | ICfnConditionExpression

const combined = (
  scope: Construct,
  id: string,
  open: ReadonlyArray<ICfnConditionExpression>,
  combine: (...conditions: ICfnConditionExpression[]) => ICfnConditionExpression
): Decision => {
  const [only] = open
  if (only === undefined) throw new Error("nothing to combine")
  return open.length === 1 && only instanceof CfnCondition
    ? only
    : condition(scope, id, nested(combine, open))
}

/** Every one holds. */
export const all = (scope: Construct, id: string, parts: ReadonlyArray<Part>): Decision => {
  if (parts.includes(false)) return false
  const open = parts.filter((p): p is ICfnConditionExpression => p !== true)
  return open.length === 0 ? true : combined(scope, id, open, Fn.conditionAnd)
}

/** At least one holds. */
export const any = (scope: Construct, id: string, parts: ReadonlyArray<Part>): Decision => {
  if (parts.includes(true)) return true
  const open = parts.filter((p): p is ICfnConditionExpression => p !== false)
  return open.length === 0 ? false : combined(scope, id, open, Fn.conditionOr)
}

/** `yes` or `no`, chosen now or by Fn::If. */
export const pick = <T>(d: Decision, yes: T, no: T): T | ReturnType<typeof Fn.conditionIf> =>
  d === true ? yes : d === false ? no : Fn.conditionIf(d.logicalId, yes, no)

export const pickString = (d: Decision, yes: string, no: string): string => {
  const chosen = pick(d, yes, no)
  return typeof chosen === "string" ? chosen : Token.asString(chosen)
}

/** In a list: the item when `d` holds, else nothing (AWS::NoValue takes it out). */
export const onlyIf = <T>(
  d: Decision,
  item: T
): ReadonlyArray<T | ReturnType<typeof Fn.conditionIf>> =>
  d === true ? [item] : d === false ? [] : [Fn.conditionIf(d.logicalId, item, Aws.NO_VALUE)]

/** Creates `make()`'s resource unless `d` is known false; under `d` when decided at deploy time. */
export const createIf = <R extends CfnResource>(d: Decision, make: () => R): R | undefined => {
  if (d === false) return undefined
  const resource = make()
  if (d !== true) resource.cfnOptions.condition = d
  return resource
}

/** The expression "this parameter's value is not empty", to combine without a condition of its own. */
export const notEmpty = (value: string): ICfnConditionExpression =>
  Fn.conditionNot(Fn.conditionEquals(value, ""))
