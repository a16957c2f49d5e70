// Types of the generated validator (scripts/compile-compose-schema.mjs).
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
