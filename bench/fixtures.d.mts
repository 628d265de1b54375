export declare const formBody: string
export declare const formBodyFor: (n: number) => string
export declare const formHeaders: Record<string, string>
export declare const httpApiEvent: (n: number) => Record<string, unknown>
export declare const isSuccess: (result: unknown) => boolean
export declare const report: (fields: Record<string, unknown>) => void
