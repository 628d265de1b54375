/**
 * Replaying a fast-check failure: every property in the suite prints its seed (and path)
 * when it fails; `FC_SEED=<seed> [FC_PATH=<path>] npx vitest run <file>` runs it again with
 * exactly that input. Without them, each run draws a fresh seed.
 */
import fc from "fast-check"

const seed = process.env.FC_SEED
const path = process.env.FC_PATH
if (seed !== undefined && seed !== "") {
  fc.configureGlobal({
    seed: Number(seed),
    ...(path === undefined || path === "" ? {} : { path })
  })
}
