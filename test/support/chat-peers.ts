/**
 * The chat peers of contract §11, one file each: a Slack incoming webhook (./slack-peer.ts)
 * and a Discord webhook (./discord-peer.ts).
 */
export * from "./discord-peer"
export type { JsonObject } from "./json-shapes"
export * from "./slack-peer"
