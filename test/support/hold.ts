/**
 * A one-time hold for the test peers (`holdNextAnswer`, `holdNextData`): the peer calls
 * `arrived` when the held moment comes and waits for `released`; the test awaits `reached`
 * and calls `release`.
 */
export interface Held {
  readonly arrived: () => void
  readonly released: Promise<void>
}

export interface Hold {
  readonly reached: Promise<void>
  release(): void
}

export const makeHold = (): { readonly held: Held; readonly hold: Hold } => {
  let arrived = () => {}
  let release = () => {}
  const reached = new Promise<void>((resolve) => {
    arrived = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  return { held: { arrived, released }, hold: { reached, release } }
}
