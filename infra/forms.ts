// Several forms in one deployment (contract §10), as the stack's parameters: Forms and
// FormsFile, the rules that make the single-form parameters required without them, and
// CaptchaSecretNames, the captcha secrets the forms name. (What they put in the
// functions' environment and grant: the construct, infra/environment.ts, infra/secrets.ts.)
//
// The forms themselves stay opaque to CloudFormation: it cannot parse JSON, so the
// application decodes and checks them at cold start (every problem one line, contract §10).
// What CloudFormation can check, it checks before any change (infra/rules.ts).
import { CfnParameter, Fn, type Stack } from "aws-cdk-lib"
import { SECRET_NAME_CHARACTERS } from "./patterns.js"
import { isEmpty, isSet, rule } from "./rules.js"
import { MAX_SECRET_NAMES_PER_LIST } from "./secrets.js"

// How many typical forms Forms holds in Lambda's 4 KB environment beside the other
// variables: computed, and kept true, by infra/test/environment-size.test.ts.
export const TYPICAL_FORMS_THAT_FIT = 6

// The grant has this many fixed slots, one per name (infra/secrets.ts). Forms that share the
// deployment's FriendlyCaptcha account (a sitekey per site, the default) need none: only
// another account's secret is named here.
export const MAX_CAPTCHA_SECRET_NAMES = MAX_SECRET_NAMES_PER_LIST

// One secret name in CaptchaSecretNames, as Secrets Manager allows it.
const NAME = `${SECRET_NAME_CHARACTERS}{1,512}`

/** The single-form parameters (contract §6) that make the form `default`. */
interface DefaultForm {
  readonly mailTo: CfnParameter
  readonly successUrl: CfnParameter
  readonly fallbackEmail: CfnParameter
}

/**
 * @param bundledFiles the JSON files at the root of the zip (`npm run build -- --forms`):
 *   the only values FormsFile may take, so that a zip without the file is refused at deploy
 *   time rather than failing every cold start.
 */
export const declareForms = (
  stack: Stack,
  defaultForm: DefaultForm,
  bundledFiles: ReadonlyArray<string>
) => {
  const forms = new CfnParameter(stack, "Forms", {
    type: "String",
    default: "",
    // The object itself: a path (`Forms=forms.json`) is the likely mistake, refused here.
    allowedPattern: "^$|^\\s*\\{[\\s\\S]*\\}\\s*$",
    constraintDescription:
      'Forms must be the JSON object itself, e.g. Forms="$(jq -c . forms.json)", not a path',
    description: `FORMS: the forms served at /f/<id>, a JSON object of form id to settings (contract §10), best without whitespace (jq -c). Lambda's environment holds 4 KB in all, the names and JSON-escaped values of every variable: about ${TYPICAL_FORMS_THAT_FIT} typical forms fit (docs/contract.md §10); beyond, FormsFile (optional; empty = none)`
  })
  const formsFile = new CfnParameter(stack, "FormsFile", {
    type: "String",
    default: "",
    allowedValues: ["", ...bundledFiles],
    constraintDescription:
      "FormsFile must name a JSON file in the zip: build with `npm run build -- --forms <file>` first",
    description:
      "FORMS_FILE: the forms as a file in the zip (forms.json, put there by `npm run build -- --forms <file>`), for more than Forms' 4 KB hold; not with Forms (optional; empty = none)"
  })
  const captchaSecretNames = new CfnParameter(stack, "CaptchaSecretNames", {
    // A String, not a CommaDelimitedList: a list's AllowedPattern applies to each name
    // alone, so only a String's can bound how many there are (the slots below). The value
    // is written the same: CaptchaSecretNames=frc-acme,frc-globex.
    type: "String",
    default: "",
    // Names only, never `*` nor `?` (they would widen the grant to other secrets), no empty
    // name (a stray comma), no more than the slots.
    allowedPattern: `^$|^${NAME}(,${NAME}){0,${MAX_CAPTCHA_SECRET_NAMES - 1}}$`,
    constraintDescription: `CaptchaSecretNames must be at most ${MAX_CAPTCHA_SECRET_NAMES} secret names, comma-separated, without spaces`,
    description: `The captchaSecretId of every form that names one, comma-separated, at most ${MAX_CAPTCHA_SECRET_NAMES}: the web function may read these secrets (and CaptchaSecretName always) (optional; empty = none)`
  })

  // Rules, as the application judges the variables (src/config/form-config.ts): without a
  // list of forms the single-form settings are required (contract §6); with one, all three make
  // a default form at /contact, none means no default form (404 there), and a part of one
  // is refused. Rules cannot name conditions, hence the Equals written again.
  const { mailTo, successUrl, fallbackEmail } = defaultForm
  const single = [mailTo, successUrl, fallbackEmail] as const
  const noList = Fn.conditionAnd(isEmpty(forms), isEmpty(formsFile))
  rule(
    stack,
    "SingleFormSettings",
    noList,
    single.map((p): [ReturnType<typeof isSet>, string] => [
      isSet(p),
      `${p.logicalId} is required unless Forms (or FormsFile) lists the forms`
    ])
  )
  rule(stack, "SeveralFormsSettings", Fn.conditionNot(noList), [
    [
      Fn.conditionOr(isEmpty(forms), isEmpty(formsFile)),
      "Forms and FormsFile exclude each other: give one list of forms"
    ],
    [
      Fn.conditionOr(
        Fn.conditionAnd(...single.map(isEmpty)),
        Fn.conditionAnd(...single.map(isSet))
      ),
      "With Forms or FormsFile, give MailTo, SuccessUrl and FallbackEmail all three (a default form at /contact) or none (no default form)"
    ]
  ])

  return { forms, formsFile, captchaSecretNames, hasFormsFile: bundledFiles.length > 0 }
}

export type Forms = ReturnType<typeof declareForms>
