// Reference answers for verinfer's Merkle code from @openzeppelin/merkle-tree
// 1.0.8 (the library OpenGradient's facilitator uses). Reads one JSON case
// per line on stdin: {encoding, values, multi?: [input indices]}; writes one
// answer per line: {dump, root, proofs (per input value), multiproof?}.
"use strict";
const readline = require("readline");
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  const tree = StandardMerkleTree.of(c.values, c.encoding);
  const answer = {
    dump: tree.dump(),
    root: tree.root,
    proofs: c.values.map((_, i) => tree.getProof(i)),
    leafHashes: c.values.map((v) => tree.leafHash(v)),  // getProof(i) re-checks each leaf
  };
  if (c.multi) answer.multiproof = tree.getMultiProof(c.multi);
  process.stdout.write(JSON.stringify(answer) + "\n");
});
