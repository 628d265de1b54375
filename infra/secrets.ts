// The secrets a role may read, by name: each exactly (`<name>-??????`, infra/permissions.ts),
// granted only when it is named. A name known at synth time is granted or not in the code;
// one that is a parameter's value stands behind a condition. A list given as a parameter
// (comma-separated names) is granted slot by slot: CloudFormation cannot map over a list
// (Fn::Join's delimiter must be a literal, so the ARN prefix, which holds the account and
// region, cannot be put between the names, and Fn::ForEach needs a transform), so the
// grant has this many fixed slots, one per name.
import { Fn, Stack, Token } from "aws-cdk-lib"
import type { Construct } from "constructs"
import { any, type Decision, given, isDeployTime, onlyIf } from "./decision.js"
import { secretArn } from "./permissions.js"

export const MAX_SECRET_NAMES_PER_LIST = 10

/** A secret a role may read: its ARN pattern, and whether it is named at all. */
export interface SecretGrant {
  readonly arn: string
  readonly when: Decision
}

/** One secret, by a name that may be left out (or empty, for a parameter's value). */
export const secretGrant = (
  scope: Construct,
  conditionId: string,
  name: string | undefined
): ReadonlyArray<SecretGrant> => {
  const when = given(scope, conditionId, name)
  return when === false || name === undefined
    ? []
    : [{ arn: secretArn(Stack.of(scope), name), when }]
}

// Slot i holds the i-th name. The names are padded with empty ones first, because
// Fn::Select past the end of a list fails the deploy; an empty slot (the empty default, or
// fewer names than slots) grants nothing: AWS::NoValue takes it out of the list.
const slots = (scope: Construct, conditionPrefix: string, list: string) => {
  const padded = Fn.split(",", Fn.join("", [list, ",".repeat(MAX_SECRET_NAMES_PER_LIST)]))
  return Array.from({ length: MAX_SECRET_NAMES_PER_LIST }, (_, i) =>
    secretGrant(scope, `${conditionPrefix}${i + 1}`, Fn.select(i, padded))
  ).flat()
}

/**
 * Secrets by a list of names. A name that is a parameter's value is a comma-separated list
 * of up to MAX_SECRET_NAMES_PER_LIST names (its AllowedPattern says so), granted by slots.
 */
export const secretGrants = (
  scope: Construct,
  conditionPrefix: string,
  names: ReadonlyArray<string>
): ReadonlyArray<SecretGrant> => {
  const lists = names.filter(isDeployTime)
  const known = [...new Set(names.filter((name) => !isDeployTime(name)))]
  return [
    ...known.map((name) => ({ arn: secretArn(Stack.of(scope), name), when: true })),
    ...lists.flatMap((list, j) =>
      slots(scope, j === 0 ? conditionPrefix : `${conditionPrefix}${j + 1}x`, list)
    )
  ]
}

/** The resource list of a statement: each ARN, or AWS::NoValue when it is not named. */
export const resourcesOf = (grants: ReadonlyArray<SecretGrant>): string[] =>
  grants
    .flatMap((g) => onlyIf(g.when, g.arn))
    .map((r) => (typeof r === "string" ? r : Token.asString(r)))

/** Whether any of them is named. */
export const anyNamed = (
  scope: Construct,
  conditionId: string,
  grants: ReadonlyArray<SecretGrant>
) =>
  any(
    scope,
    conditionId,
    grants.map((g) => g.when)
  )
