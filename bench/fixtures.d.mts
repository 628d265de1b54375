export declare const altchaLineBytes: number
export declare const writeAltchaPayloads: (file: string, payloads: readonly string[]) => void
export declare const altchaPayloadsOf: (file: string, first: number, count: number) => string[]
export declare const captchaToken: (n: number) => string
export declare const formBody: (n: number) => string
export declare const formHeaders: Record<string, string>
export declare const httpApiEvent: (n: number) => Record<string, unknown>
export declare const isSuccess: (result: unknown) => boolean
export declare const report: (fields: Record<string, unknown>) => void
