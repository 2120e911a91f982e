// A brute-force reference checker: tries every order of the ops that respects real time (and
// every subset of crashed ops). Exponential; for cross-checking the WGL search on small histories.
import type { Op } from '../history.js';
import { getModel, type Model } from './models.js';
import { detectIndependent, partitionHistory } from './partition.js';
import type { WglOp } from './wgl.js';

export function bruteForceOps<S>(model: Model<S>, ops: readonly WglOp[]): boolean {
  const done = new Array<boolean>(ops.length).fill(false);
  const okLeft = { n: ops.filter((o) => o.ret !== Infinity).length };
  const search = (state: S): boolean => {
    if (okLeft.n === 0) return true; // the remaining crashed ops never happened
    // The earliest return among pending ops bounds which ops may go next.
    let minRet = Infinity;
    for (let i = 0; i < ops.length; i++) if (!done[i] && ops[i]!.ret < minRet) minRet = ops[i]!.ret;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (done[i] || op.call > minRet) continue;
      const next = model.step(state, op);
      if (next === undefined) continue;
      done[i] = true;
      if (op.ret !== Infinity) okLeft.n--;
      const found = search(next);
      done[i] = false;
      if (op.ret !== Infinity) okLeft.n++;
      if (found) return true;
    }
    return false;
  };
  return search(model.init());
}

/** Brute-force verdict for a whole history (split by key like the fast checker). */
export function checkBruteForce(history: readonly Op[], modelName: string, independent?: boolean): boolean {
  const model = getModel(modelName);
  const parts = partitionHistory(history, model, independent ?? detectIndependent(history, model));
  return parts.every((p) => bruteForceOps(model, p.ops));
}
