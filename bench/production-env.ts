// Imported first by bench/load.ts, before graphql-js loads: a deployed gateway runs with
// NODE_ENV=production, in which graphql-js skips its development-only cross-realm checks (a
// sizeable share of execution time otherwise, for both targets alike).
process.env.NODE_ENV = 'production';
