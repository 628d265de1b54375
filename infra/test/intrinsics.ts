// Just enough of CloudFormation's intrinsic functions to turn a synthesized value into the
// string it becomes at deploy time, given sample parameter values; its conditions, Fn::If
// and Rules, to see the template as one set of parameter values deploys it; and IAM's
// wildcard matching, to test a policy resource against real ARNs.

export type Values = Readonly<Record<string, string>>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const lookup = (values: Values, name: string): string => {
  const value = values[name]
  if (value === undefined) throw new Error(`no sample value for ${name}`)
  return value
}

/** A template's Mappings: map → top-level key → second-level key → value. */
export type Mappings = Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>
>

/** A template's Conditions: name → condition expression. */
export type Conditions = Readonly<Record<string, unknown>>

/**
 * Resolves Ref, Fn::GetAtt (as `Logical.Attribute`), Fn::Join, Fn::Sub, Fn::Select (of a
 * list or of an Fn::Split), failing as CloudFormation does on an index past the end,
 * Fn::FindInMap in `mappings`, and Fn::If on the template's `conditions` (only the branch
 * chosen is resolved, as CloudFormation does).
 */
export const resolveIntrinsic = (
  value: unknown,
  values: Values,
  mappings: Mappings = {},
  conditions: Conditions = {}
): string => {
  if (typeof value === "string") return value
  if (isRecord(value)) {
    const ref = value.Ref
    if (typeof ref === "string") return lookup(values, ref)
    const getAtt = value["Fn::GetAtt"]
    if (Array.isArray(getAtt)) return lookup(values, getAtt.join("."))
    const branches = value["Fn::If"]
    if (Array.isArray(branches) && typeof branches[0] === "string") {
      const [condition, whenTrue, whenFalse] = branches
      const holds = evaluateCondition({ Condition: condition }, values, conditions)
      return resolveIntrinsic(holds ? whenTrue : whenFalse, values, mappings, conditions)
    }
    const join = value["Fn::Join"]
    if (Array.isArray(join) && typeof join[0] === "string") {
      return resolveList(join[1], values, mappings, conditions).join(join[0])
    }
    const sub = value["Fn::Sub"]
    if (typeof sub === "string") {
      return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(values, name))
    }
    const find = value["Fn::FindInMap"]
    if (Array.isArray(find) && typeof find[0] === "string") {
      const [map, top, second] = [
        find[0],
        resolveIntrinsic(find[1], values, mappings, conditions),
        resolveIntrinsic(find[2], values, mappings, conditions)
      ]
      const found = mappings[map]?.[top]?.[second]
      if (typeof found !== "string") throw new Error(`Fn::FindInMap: no ${map}.${top}.${second}`)
      return found
    }
    const select = value["Fn::Select"]
    if (Array.isArray(select) && typeof select[0] === "number") {
      const list = resolveList(select[1], values, mappings, conditions)
      const item = list[select[0]]
      if (item === undefined) throw new Error(`Fn::Select: no item ${select[0]} in ${list}`)
      return item
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`)
}

/**
 * A list: literal (each item resolved), an Fn::Split, or a Ref to a CommaDelimitedList
 * parameter (its sample value written as CloudFormation takes it, comma-separated).
 */
const resolveList = (
  value: unknown,
  values: Values,
  mappings: Mappings = {},
  conditions: Conditions = {}
): string[] => {
  if (Array.isArray(value))
    return value.map((item: unknown) => resolveIntrinsic(item, values, mappings, conditions))
  if (isRecord(value)) {
    if (typeof value.Ref === "string") return lookup(values, value.Ref).split(",")
    const split = value["Fn::Split"]
    if (Array.isArray(split) && typeof split[0] === "string") {
      return resolveIntrinsic(split[1], values, mappings, conditions).split(split[0])
    }
  }
  throw new Error(`cannot resolve the list ${JSON.stringify(value)}`)
}

/** IAM resource matching: `*` is any run of characters, `?` exactly one character. */
export const iamGlobMatches = (pattern: string, arn: string): boolean => {
  const source = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("")
  return new RegExp(`^${source}$`).test(arn)
}

type Rule = {
  readonly RuleCondition?: unknown
  readonly Assertions: readonly { Assert: unknown; AssertDescription: string }[]
}
type Template = {
  readonly Conditions?: Readonly<Record<string, unknown>>
  readonly Rules?: Readonly<Record<string, Rule>>
  readonly Resources: Readonly<Record<string, { Condition?: unknown }>>
}

const only = (value: unknown, name: string): unknown[] => {
  if (!Array.isArray(value)) throw new Error(`${name} takes a list, got ${JSON.stringify(value)}`)
  return value
}

/**
 * Evaluates a condition as CloudFormation does: Fn::Equals (on resolved strings), Fn::Not,
 * Fn::And, Fn::Or, and `{"Condition": name}` for a condition of the template. Rules'
 * conditions and assertions are written the same way, without `Condition`, and may use
 * Fn::Contains (CDK's own bootstrap-version rule does).
 */
export const evaluateCondition = (
  expression: unknown,
  values: Values,
  conditions: Template["Conditions"] = {}
): boolean => {
  const evaluate = (e: unknown) => evaluateCondition(e, values, conditions)
  if (isRecord(expression)) {
    const [name, ...others] = Object.keys(expression)
    if (name !== undefined && others.length === 0) {
      const argument = expression[name]
      switch (name) {
        case "Fn::Equals": {
          const [a, b] = only(argument, name).map((side) => resolveIntrinsic(side, values))
          return a === b
        }
        case "Fn::Not":
          return !evaluate(only(argument, name)[0])
        case "Fn::And":
          return only(argument, name).every(evaluate)
        case "Fn::Or":
          return only(argument, name).some(evaluate)
        case "Fn::Contains": {
          const [list, item] = only(argument, name)
          const wanted = resolveIntrinsic(item, values)
          return resolveList(list, values).includes(wanted)
        }
        case "Condition": {
          if (typeof argument !== "string" || !(argument in conditions)) break
          return evaluate(conditions[argument])
        }
      }
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(expression)}`)
}

const NO_VALUE = Symbol("AWS::NoValue")

const choose = (value: unknown, values: Values, conditions: Template["Conditions"]): unknown => {
  if (Array.isArray(value)) {
    return value.map((item) => choose(item, values, conditions)).filter((item) => item !== NO_VALUE)
  }
  if (!isRecord(value)) return value
  if (value.Ref === "AWS::NoValue") return NO_VALUE
  const branches = value["Fn::If"]
  if (Array.isArray(branches)) {
    const [condition, whenTrue, whenFalse] = branches
    const holds = evaluateCondition({ Condition: condition }, values, conditions)
    return choose(holds ? whenTrue : whenFalse, values, conditions)
  }
  return Object.fromEntries(
    Object.entries(value)
      .map(([key, item]) => [key, choose(item, values, conditions)] as const)
      .filter(([, item]) => item !== NO_VALUE)
  )
}

/**
 * The template as CloudFormation deploys it with these parameter values (for
 * `Template.fromJSON`): the resources whose condition holds, each Fn::If replaced by its
 * branch and AWS::NoValue taken out; and the descriptions of the Rules' assertions that
 * fail (CloudFormation then refuses the stack before making any change).
 */
export const deployWith = (template: Template, values: Values) => {
  const conditions = template.Conditions ?? {}
  const holds = (condition: unknown) =>
    condition === undefined || evaluateCondition({ Condition: condition }, values, conditions)
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => holds(resource.Condition))
      .map(([id, resource]) => [id, choose(resource, values, conditions)])
  )
  const refused = Object.values(template.Rules ?? {}).flatMap((rule) =>
    rule.RuleCondition === undefined || evaluateCondition(rule.RuleCondition, values)
      ? rule.Assertions.filter((a) => !evaluateCondition(a.Assert, values)).map(
          (a) => a.AssertDescription
        )
      : []
  )
  return { template: { ...template, Resources: resources }, refused }
}
