// Which secrets each function may read, from the props and the forms known at synth time:
// exactly the secrets named, none that is not.
// - The web function verifies every captcha (the deployment's secret, and each form's
//   captchaSecretId) and asks Akismet when its secret is named.
// - Both functions deliver to the channels (redelivery sends a kept channel again), so both
//   read the channels' secrets: the deployment's and each form's.
import { Stack } from "aws-cdk-lib"
import type { Construct } from "constructs"
import type { ChannelSecrets } from "./delivery.js"
import { secretArn } from "./permissions.js"
import type { ContactFormProps } from "./props.js"
import { anyNamed, type SecretGrant, secretGrant, secretGrants } from "./secrets.js"
import { valuesOf } from "./validate-forms.js"

// The application's default captcha secret (CAPTCHA_SECRET_ID unset).
export const DEFAULT_CAPTCHA_SECRET_NAME = "friendlycaptcha-data"

type Forms = ReadonlyMap<string, unknown> | undefined

/** The web function's secrets beside delivery: the captchas', and Akismet's. */
export const webSecrets = (
  scope: Construct,
  props: ContactFormProps,
  forms: Forms
): ReadonlyArray<SecretGrant> => {
  const captcha = props.captcha?.secretName ?? DEFAULT_CAPTCHA_SECRET_NAME
  return [
    // Always: whatever the provider, a form of FORMS may name one that needs it.
    { arn: secretArn(Stack.of(scope), captcha), when: true },
    ...secretGrants(scope, "HasCaptchaSecretName", [
      ...valuesOf(forms, "captchaSecretId").filter((name) => name !== captcha),
      ...(props.formSecretNames?.captcha ?? [])
    ]),
    ...secretGrant(scope, "HasAkismetSecretName", props.spam?.akismetSecretName)
  ]
}

/** The channels' secrets, read by both functions. */
export const channelSecrets = (
  scope: Construct,
  props: ContactFormProps,
  forms: Forms
): ChannelSecrets => {
  const channels = props.channels
  const deployment = [
    channels?.webhookSecretName,
    channels?.slackSecretName,
    channels?.discordSecretName
  ]
  const grants = [
    ...secretGrant(scope, "HasWebhookSecretName", channels?.webhookSecretName),
    ...secretGrant(scope, "HasSlackSecretName", channels?.slackSecretName),
    ...secretGrant(scope, "HasDiscordSecretName", channels?.discordSecretName),
    ...secretGrants(scope, "HasChannelSecretName", [
      // A name the deployment gives too is granted once.
      ...["webhookSecretId", "slackSecretId", "discordSecretId"]
        .flatMap((key) => valuesOf(forms, key))
        .filter((name) => !deployment.includes(name)),
      ...(props.formSecretNames?.channels ?? [])
    ])
  ]
  return { grants, any: anyNamed(scope, "HasChannelSecrets", grants) }
}
