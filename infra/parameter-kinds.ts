// The kinds of parameter the stack declares (infra/parameters.ts). Optional settings
// default to "" and are passed to the function as empty environment variables: the
// application treats an empty variable as unset (its own default applies), and always
// setting the variable keeps the template free of per-variable conditions. The one
// consequence: an empty value cannot be chosen on purpose (e.g. no subject prefix).
import { CfnParameter, type Stack } from "aws-cdk-lib"

export const optional = (stack: Stack, id: string, description: string, allowedPattern?: string) =>
  new CfnParameter(stack, id, {
    type: "String",
    default: "",
    description: `${description} (optional; empty = unset)`,
    ...(allowedPattern === undefined ? {} : { allowedPattern })
  })

export const required = (stack: Stack, id: string, description: string, allowedPattern: string) =>
  new CfnParameter(stack, id, {
    type: "String",
    minLength: 1,
    description,
    allowedPattern,
    constraintDescription: `${id} is required and must match ${allowedPattern}`
  })

// The single-form settings of the form `default` (contract §6): required unless Forms or
// FormsFile lists the forms, and then all three or none. CloudFormation cannot express that
// in one parameter, so each may be empty here and the Rules of infra/forms.ts decide.
export const defaultForm = (
  stack: Stack,
  id: string,
  description: string,
  allowedPattern: string
) =>
  new CfnParameter(stack, id, {
    type: "String",
    default: "",
    description: `${description} (required without Forms and FormsFile; with them, MailTo, SuccessUrl and FallbackEmail all three or none)`,
    allowedPattern: `^$|${allowedPattern}`,
    constraintDescription: `${id} must be empty or match ${allowedPattern}`
  })

/** A parameter's value as the construct's typed prop: decided at deploy time by conditions. */
export const deployTime = <T extends string>(parameter: CfnParameter): T =>
  parameter.valueAsString as T

/** A list parameter's value as the construct's typed prop. */
export const deployTimeList = <T extends string>(parameter: CfnParameter): ReadonlyArray<T> =>
  parameter.valueAsList as T[]

/** The console's parameter form: a labelled group. */
export const group = (label: string, parameters: ReadonlyArray<CfnParameter>) => ({
  Label: { default: label },
  Parameters: parameters.map((parameter) => parameter.logicalId)
})
