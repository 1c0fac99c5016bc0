// A dynamic import() that always goes through Node's own ES module loader (and so through the
// engine's module hooks), even when the calling code was transformed by a test runner that
// rewrites import() in ES modules. CommonJS keeps its import() native.
module.exports = (specifier) => import(specifier);
