// Kept apart from `husk info`, whose checks would load half of husk for `husk --version`.
export const HUSK_VERSION = '0.1.0';
