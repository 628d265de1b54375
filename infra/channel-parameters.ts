// The stack's parameters for the channels (contract §11) and the spam judgement (§12): the
// single form's channels (and the settings the forms of Forms inherit), the channel secrets
// the forms name, the spam policy, its threshold and Akismet's secret. The construct grants
// GetSecretValue on exactly the secrets named here (infra/grants.ts).
import { CfnParameter, Fn, type Stack } from "aws-cdk-lib"
import { channelKinds } from "../src/domain/channels.js"
import { optional } from "./parameter-kinds.js"
import { HTTPS_URL, orEmpty, SECRET_NAME, SECRET_NAME_CHARACTERS } from "./patterns.js"
import { isSet, rule } from "./rules.js"
import { MAX_SECRET_NAMES_PER_LIST } from "./secrets.js"
import {
  DEFAULT_SPAM_POLICY,
  SPAM_THRESHOLD,
  SPAM_THRESHOLD_PATTERN,
  spamPolicies
} from "./spam.js"

const NAME = `${SECRET_NAME_CHARACTERS}{1,512}`

/** The single-form parameters whose being set means that the form at /contact exists. */
interface DefaultForm {
  readonly mailTo: CfnParameter
  readonly successUrl: CfnParameter
  readonly fallbackEmail: CfnParameter
}

export const declareChannels = (stack: Stack, defaultForm: DefaultForm) => {
  const channels = new CfnParameter(stack, "Channels", {
    // A list, so that CloudFormation checks each member against the channels table and the
    // Rules below can ask whether it contains one.
    type: "CommaDelimitedList",
    default: "mail",
    allowedValues: [...channelKinds],
    description: `CHANNELS: where the form at /contact delivers, in order, comma-separated: ${channelKinds.join(", ")} (the forms of Forms that name none inherit it)`
  })
  const secretName = (id: string, variable: string, secret: string) =>
    optional(stack, id, `${variable}: name of the secret ${secret}`, orEmpty(SECRET_NAME))
  const p = {
    channels,
    webhookUrl: optional(
      stack,
      "WebhookUrl",
      "WEBHOOK_URL: the webhook channel's receiver, https",
      orEmpty(HTTPS_URL)
    ),
    webhookSecretName: secretName(
      "WebhookSecretName",
      "WEBHOOK_SECRET_ID",
      '{"WEBHOOK_SECRET":"whsec_…"}'
    ),
    slackSecretName: secretName("SlackSecretName", "SLACK_SECRET_ID", '{"SLACK_WEBHOOK_URL"}'),
    discordSecretName: secretName(
      "DiscordSecretName",
      "DISCORD_SECRET_ID",
      '{"DISCORD_WEBHOOK_URL"}'
    ),
    channelSecretNames: new CfnParameter(stack, "ChannelSecretNames", {
      // A String, as CaptchaSecretNames (infra/forms.ts): only its pattern can bound the count.
      type: "String",
      default: "",
      allowedPattern: `^$|^${NAME}(,${NAME}){0,${MAX_SECRET_NAMES_PER_LIST - 1}}$`,
      constraintDescription: `ChannelSecretNames must be at most ${MAX_SECRET_NAMES_PER_LIST} secret names, comma-separated, without spaces`,
      description: `The webhookSecretId, slackSecretId and discordSecretId of every form of Forms that names one, comma-separated, at most ${MAX_SECRET_NAMES_PER_LIST}: both functions may read these secrets (optional; empty = none)`
    })
  }
  // What the form at /contact needs for each channel it lists, checked before any change
  // as the application checks it at cold start. Only when that form exists (all three of
  // its settings given): a list of forms alone names its channels in Forms, opaque here.
  const { mailTo, successUrl, fallbackEmail } = defaultForm
  const lists = (kind: string) => Fn.conditionContains(channels.valueAsList, kind)
  rule(
    stack,
    "ChannelSettings",
    Fn.conditionAnd(isSet(mailTo), isSet(successUrl), isSet(fallbackEmail)),
    [
      [
        Fn.conditionOr(
          Fn.conditionNot(lists("webhook")),
          Fn.conditionAnd(isSet(p.webhookUrl), isSet(p.webhookSecretName))
        ),
        "Channels lists webhook: give WebhookUrl and WebhookSecretName"
      ],
      [
        Fn.conditionOr(Fn.conditionNot(lists("slack")), isSet(p.slackSecretName)),
        "Channels lists slack: give SlackSecretName"
      ],
      [
        Fn.conditionOr(Fn.conditionNot(lists("discord")), isSet(p.discordSecretName)),
        "Channels lists discord: give DiscordSecretName"
      ]
    ]
  )
  return p
}

export type ChannelParameters = ReturnType<typeof declareChannels>

export const declareSpam = (stack: Stack) => ({
  spamPolicy: new CfnParameter(stack, "SpamPolicy", {
    type: "String",
    default: DEFAULT_SPAM_POLICY,
    allowedValues: [...spamPolicies],
    description:
      "SPAM_POLICY of the forms that name none: mark (delivered, marked [Spam?]), drop (answered as sent, not delivered) or off"
  }),
  spamThreshold: new CfnParameter(stack, "SpamThreshold", {
    type: "String",
    default: String(SPAM_THRESHOLD.default),
    allowedPattern: SPAM_THRESHOLD_PATTERN,
    constraintDescription: `SpamThreshold must be a whole number from ${SPAM_THRESHOLD.min} to ${SPAM_THRESHOLD.max}`,
    description: `SPAM_THRESHOLD: the score from which a submission is spam, ${SPAM_THRESHOLD.min} to ${SPAM_THRESHOLD.max}`
  }),
  akismetSecretName: optional(
    stack,
    "AkismetSecretName",
    'AKISMET_SECRET_ID: name of the secret {"AKISMET_API_KEY"}; Akismet is asked only with it (the visitor\'s address, email and text then go to Automattic)',
    orEmpty(SECRET_NAME)
  )
})

export type SpamParameters = ReturnType<typeof declareSpam>
