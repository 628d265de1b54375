// Just enough of CloudFormation's intrinsic functions to turn a synthesized value into the
// string it becomes at deploy time, given sample parameter values; and IAM's wildcard
// matching, to test a policy resource against real ARNs.

export type Values = Readonly<Record<string, string>>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const lookup = (values: Values, name: string): string => {
  const value = values[name]
  if (value === undefined) throw new Error(`no sample value for ${name}`)
  return value
}

/** Resolves Ref, Fn::GetAtt (as `Logical.Attribute`), Fn::Join and Fn::Sub. */
export const resolveIntrinsic = (value: unknown, values: Values): string => {
  if (typeof value === "string") return value
  if (isRecord(value)) {
    const ref = value.Ref
    if (typeof ref === "string") return lookup(values, ref)
    const getAtt = value["Fn::GetAtt"]
    if (Array.isArray(getAtt)) return lookup(values, getAtt.join("."))
    const join = value["Fn::Join"]
    if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
      const separator = join[0]
      return join[1].map((part: unknown) => resolveIntrinsic(part, values)).join(separator)
    }
    const sub = value["Fn::Sub"]
    if (typeof sub === "string") {
      return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(values, name))
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`)
}

/** IAM resource matching: `*` is any run of characters, `?` exactly one character. */
export const iamGlobMatches = (pattern: string, arn: string): boolean => {
  const source = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("")
  return new RegExp(`^${source}$`).test(arn)
}
