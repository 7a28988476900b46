// Prisma's query compiler runtimes (imported by the generated clients, see plan-cache.ts) ship without types.
declare module '@prisma/client/runtime/query_compiler_bg.sqlite.mjs' {
  export const QueryCompiler: { prototype: { compile(query: string): unknown } }
}
declare module '@prisma/client/runtime/query_compiler_bg.postgresql.mjs' {
  export const QueryCompiler: { prototype: { compile(query: string): unknown } }
}
