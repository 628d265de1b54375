/** Addresses: a mailbox, and the owner's fallback contact offered on every error page. */

export interface Mailbox {
  readonly name: string
  readonly address: string
}

/** `FALLBACK_EMAIL` and `FALLBACK_PHONE` (contract §3). */
export interface Fallback {
  readonly email: string
  readonly phone: string | undefined
}
