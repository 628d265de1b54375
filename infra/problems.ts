// Every problem with the construct's props, collected and reported at once, each named by
// its prop (`mail.ses.identity: …`), as the application lists every bad variable at cold
// start. A token (a parameter's value) is not judged here: CloudFormation's AllowedPattern
// and Rules judge it at deploy time, the application at cold start.
import { isDeployTime } from "./decision.js"
import { matches } from "./patterns.js"

export class Problems {
  readonly #list: string[] = []

  add(prop: string, message: string): void {
    this.#list.push(`${prop}: ${message}`)
  }

  /** A string that must match `pattern`; `undefined` is fine (not given). */
  pattern(prop: string, value: string | undefined, pattern: string, message: string): void {
    if (value === undefined || isDeployTime(value)) return
    if (!matches(pattern, value)) this.add(prop, message)
  }

  /** A whole number from `min` to `max`. */
  wholeNumber(prop: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || isDeployTime(value)) return
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(prop, `must be a whole number from ${min} to ${max}`)
    }
  }

  oneOf(prop: string, value: string | undefined, allowed: ReadonlyArray<string>): void {
    if (value === undefined || isDeployTime(value)) return
    if (!allowed.includes(value)) this.add(prop, `must be one of ${allowed.join(", ")}`)
  }

  /** Throws one error listing every problem, if there is any. */
  throwIfAny(path: string): void {
    if (this.#list.length === 0) return
    throw new Error(
      `ContactForm ${path}: invalid props\n${this.#list.map((p) => `- ${p}`).join("\n")}`
    )
  }
}
