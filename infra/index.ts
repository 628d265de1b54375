// The stable entry of the construct: what a CDK app imports to add the contact-form backend
// to a stack of its own (infra/examples/ shows one). Everything else in infra/ may move.
export { type CaptchaProvider, captchaProviderIds } from "../src/domain/captcha-providers.js"
export { type ChannelKind, channelKinds } from "../src/domain/channels.js"
export { ROUTES } from "./api.js"
export { ContactForm } from "./construct.js"
export type {
  CaptchaProps,
  ChannelsProps,
  ContactFormProps,
  DefaultFormProps,
  FormProps,
  MailProps,
  SpamProps
} from "./props.js"
export { MAX_SECRET_NAMES_PER_LIST } from "./secrets.js"
export { type SpamPolicy, spamPolicies } from "./spam.js"
export { ContactFormStack, type ContactFormStackProps } from "./stack.js"
