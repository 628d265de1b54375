/**
 * `npm run docs`: writes docs/configuration.md from the configuration readers, so that the
 * reference cannot drift from the code (`npm run docs -- --check` only compares).
 *
 * - The variables are the names the readers ask for: readConfig (both runtimes) and the
 *   server's own settings are run over an environment that records every name read.
 * - What an unset variable reads as, and the rule, come from each reader (`readerCatalog` in
 *   src/config/readers.ts: the rule is the reader's own message for a value it refuses).
 * - The meaning, and what the code cannot tell (the stack's settings, a computed default),
 *   come from src/config/catalog*.ts. A variable read without an entry there, or an entry
 *   that names nothing read, stops the script with the list.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import {
  type FormSettingDoc,
  formSettingDocs,
  type VariableDoc,
  type VariableGroup
} from "../src/config/catalog"
import { deliveryVariables } from "../src/config/catalog-delivery"
import { formVariables } from "../src/config/catalog-forms"
import type { Env } from "../src/config/env"
import { readForms } from "../src/config/forms"
import { Settings } from "../src/config/forms-schema"
import { readConfig } from "../src/config/read-config"
import { readerCatalog, type WhenUnset } from "../src/config/readers"
import { readServerSettings, serverMode } from "../src/server/settings"

export const configurationPath = resolve(import.meta.dirname, "../docs/configuration.md")

const groupOrder: ReadonlyArray<VariableGroup> = [
  "Forms and mail",
  "Captcha",
  "Mail transport and secrets",
  "The queue",
  "The shared store",
  "Limits",
  "Channels",
  "Spam",
  "The server",
  "AWS"
]

/** The names `read` asks the environment for, in the order asked. */
const namesRead = (read: (env: Env) => void): ReadonlyArray<string> => {
  const names = new Set<string>()
  read(
    new Proxy<Env>(
      {},
      {
        get: (_, name) => {
          if (typeof name === "string") names.add(name)
          return undefined
        }
      }
    )
  )
  return [...names]
}

const lambdaNames = () =>
  namesRead((env) => void Effect.runSync(Effect.result(readConfig(env, { runtime: "lambda" }))))
const serverNames = () =>
  namesRead((env) => {
    serverMode(env)
    Effect.runSync(Effect.result(readConfig(env, { runtime: "server" })))
    Effect.runSync(Effect.result(readServerSettings(env, "/")))
  })

/** A value every rule but free text refuses: the reader's message for it is its rule. */
const probe = "\n"

const ruleOf = (name: string): string | undefined => {
  const read = readerCatalog.get(name)?.rule(probe)
  return read !== undefined && Result.isFailure(read) ? read.failure : undefined
}

const unsetOf = (whenUnset: WhenUnset<unknown> | undefined): string | undefined =>
  whenUnset === undefined
    ? undefined
    : whenUnset === "required"
      ? "required"
      : whenUnset.value === undefined
        ? "none"
        : `\`${String(whenUnset.value)}\``

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ")
const row = (cells: ReadonlyArray<string>) => `| ${cells.map(cell).join(" | ")} |`
const code = (name: string) => `\`${name}\``

interface Variable {
  readonly name: string
  readonly doc: VariableDoc
  readonly members: ReadonlyArray<string>
}

/** Every variable with its entry, or the list of what is missing on either side. */
const variables = (): ReadonlyArray<Variable> => {
  const docs: Readonly<Record<string, VariableDoc>> = { ...formVariables, ...deliveryVariables }
  const read = [...new Set([...lambdaNames(), ...serverNames()])]
  const covers = (name: string, doc: VariableDoc, key: string) =>
    doc.family === undefined ? key === name : doc.family.test(name)
  const problems: Array<string> = []
  const found = Object.entries(docs).map(([key, doc]): Variable => {
    const members = doc.sdk ?? read.filter((name) => covers(name, doc, key))
    if (members.length === 0) problems.push(`${key}: documented, but no reader reads it`)
    for (const name of doc.sdk === undefined ? members : []) {
      const reader = readerCatalog.get(name)
      if (reader === undefined && (doc.unset === undefined || doc.rule === undefined)) {
        problems.push(`${name}: read without a reader; its entry must say unset and rule`)
      }
      const value = reader?.whenUnset
      const said = doc.unset?.toLowerCase()
      if (said !== undefined && value !== undefined && value !== "required") {
        const shown = value.value === undefined ? undefined : String(value.value).toLowerCase()
        if (shown !== undefined && !said.includes(shown)) {
          problems.push(`${name}: the entry says unset is ${doc.unset}, the reader ${shown}`)
        }
      }
    }
    return { name: key, doc, members }
  })
  for (const name of read) {
    if (!Object.entries(docs).some(([key, doc]) => covers(name, doc, key))) {
      problems.push(`${name}: read, but no entry in src/config/catalog-*.ts`)
    }
  }
  if (problems.length > 0) throw new Error(["npm run docs:", ...problems].join("\n- "))
  return found
}

const runtimeOf = (v: Variable, lambda: ReadonlySet<string>): string => {
  const server = v.doc.server === true || v.members.every((name) => !lambda.has(name))
  const runtime = v.doc.sdk !== undefined || !server ? "both" : "server"
  return v.doc.stack === undefined ? runtime : `${runtime}; the stack: ${v.doc.stack}`
}

const variableRow = (v: Variable, lambda: ReadonlySet<string>): string => {
  const first = v.members[0] ?? v.name
  const probed = v.doc.sdk === undefined ? ruleOf(first) : undefined
  const rule = v.doc.rule ?? probed ?? "any text"
  const unset = v.doc.unset ?? unsetOf(readerCatalog.get(first)?.whenUnset) ?? "none"
  const members =
    v.doc.family !== undefined || v.doc.sdk !== undefined
      ? ` (${v.members.map(code).join(", ")})`
      : ""
  return row([code(v.name), unset, rule, runtimeOf(v, lambda), `${v.doc.meaning}${members}`])
}

/** The settings a form of FORMS must have: the ones an empty form is told are missing. */
const requiredSettings = (): ReadonlySet<string> => {
  const read = readForms({ json: '{"x":{}}', file: undefined })
  return new Set(
    Result.isFailure(read)
      ? read.failure.filter((p) => p.message === "is missing").map((p) => p.path[2] ?? "")
      : []
  )
}

const formSettingRows = (): ReadonlyArray<string> => {
  const keys = Object.keys(Settings.fields)
  const required = requiredSettings()
  const problems = [
    ...keys.filter((k) => formSettingDocs[k] === undefined).map((k) => `FORMS.${k}: no entry`),
    ...Object.keys(formSettingDocs)
      .filter((k) => !keys.includes(k))
      .map((k) => `FORMS.${k}: documented, but not a setting`),
    ...keys
      .filter((k) => required.has(k) !== (formSettingDocs[k]?.unset === "required"))
      .map((k) => `FORMS.${k}: required is ${required.has(k)}, the entry says otherwise`)
  ]
  if (problems.length > 0) throw new Error(["npm run docs:", ...problems].join("\n- "))
  return keys.map((key) => {
    const doc = formSettingDocs[key] as FormSettingDoc
    return row([code(key), doc.unset, doc.meaning])
  })
}

/** docs/configuration.md, as the code has it now. */
export const configurationPage = (): string => {
  const all = variables()
  const lambda = new Set(lambdaNames())
  const production = namesRead((env) => void serverMode(env))
  const groups = [...new Set([...groupOrder, ...all.map((v) => v.doc.group)])]
  const header = ["| Variable | Unset | Rule | Runtime | Meaning |", "|---|---|---|---|---|"]
  return [
    "<!-- Generated by `npm run docs` from src/config/: edit the code, then run it. -->",
    "",
    "# Configuration",
    "",
    "Every variable the application reads, generated from its configuration readers",
    "(`src/config/`) by `npm run docs`; `test/docs.test.ts` fails when this page and the code",
    "differ. How a new variable gets here: [architecture](architecture.md#where-a-new-piece-goes).",
    "",
    "The configuration is one object, read once at start from the environment and validated",
    "together: a bad value stops the start with `Invalid configuration:` and one",
    "`- VAR: reason` line per problem, never the value. On Lambda the module import throws it",
    "(the cold start fails); the server prints it and exits with code 78. An empty variable",
    "counts as unset, except `SMTP_SECRET_ID` (empty = no SMTP authentication), so a deployment",
    'tool may pass `""` for an optional value.',
    "",
    "- **Unset**: what a variable that is not set (or empty) reads as.",
    "- **Rule**: what the start says of a value it refuses.",
    "- **Runtime**: `both` (the Lambda functions and the server) or `server`; and what the",
    "  stack of [deploy](deploy.md) sets, if anything.",
    `- On the server, any of ${production.map(code).join(", ")} selects production mode;`,
    "  with none of them it runs in embedded mode ([contract §1](contract.md#1-runtimes-modes-and-commands)).",
    "",
    ...groups.flatMap((group) => {
      const members = all.filter((v) => v.doc.group === group)
      return members.length === 0
        ? []
        : [`## ${group}`, "", ...header, ...members.map((v) => variableRow(v, lambda)), ""]
    }),
    "## The settings of a form in `FORMS`",
    "",
    "Each read by the same rule as its variable; an example is in",
    "[contract §10](contract.md#10-several-forms).",
    "",
    "| Setting | Unset | Meaning |",
    "|---|---|---|",
    ...formSettingRows(),
    ""
  ].join("\n")
}

const main = () => {
  let page: string
  try {
    page = configurationPage()
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
  const now = (() => {
    try {
      return readFileSync(configurationPath, "utf8")
    } catch {
      return undefined
    }
  })()
  if (process.argv.includes("--check")) {
    if (now !== page) {
      console.error("docs/configuration.md is not current: run npm run docs")
      process.exit(1)
    }
    return
  }
  if (now !== page) writeFileSync(configurationPath, page)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
}
