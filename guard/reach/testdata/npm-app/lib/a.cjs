const c = require("cjs-dep");
module.exports = c;
