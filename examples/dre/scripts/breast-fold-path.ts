// One fold of the breast benchmark in detail (examples/dre README, (c)): for one loss and the λ of a
// comma-separated list, every t = 1…10 with the selection criterion (RMSE against the true ratio on the
// validation rows) next to the nMSE on the validation and test rows. Seed 1, first fold by default:
//   npx tsx scripts/breast-fold-path.ts exponential 0.1,0.01 [seed] [fold]
import { loadBreastCancer } from '@paperstack/example-kit/data';
import { medianDistance } from '@paperstack/kernel-dre';
import { readBreastOracle, standardise } from '../src/breast';
import { type Method, nmse, ratioPath, rmse } from '../src/mixture';

const [method = 'exponential', lambdaList = '0.1,0.01', seedArg = '1', foldArg = '1'] = process.argv.slice(2);
const lambdas = lambdaList.split(',').map(Number);
const data = loadBreastCancer();
const o = readBreastOracle().seeds.find((s) => s.seed === Number(seedArg));
if (!o) throw new Error(`seed ${seedArg} is not in the oracle`);
const fold = o.folds[Number(foldArg) - 1];
const inTest = new Set(fold.test);
const inVal = new Set(fold.val);
const train = [...Array(data.n).keys()].filter((i) => !inTest.has(i));
const inner = train.filter((i) => !inVal.has(i));
const by = (rows: number[], y: number) => rows.filter((i) => o.labels[i] === y);
const [trainS, numTr, denTr, test] = standardise(data, train, [train, by(train, 0), by(train, 1), fold.test]);
const [numIn, denIn, val] = standardise(data, inner, [by(inner, 0), by(inner, 1), fold.val]);
const gamma = 1 / medianDistance(trainS, { maxPoints: data.n });
const valR = Float64Array.from(fold.val, (i) => o.ratio[i]);
const testR = Float64Array.from(fold.test, (i) => o.ratio[i]);
const pv = ratioPath(method as Method, gamma, numIn, denIn, lambdas, 10, [val]);
const pt = ratioPath(method as Method, gamma, numTr, denTr, lambdas, 10, [test]);
console.log(
  `seed ${seedArg} fold ${foldArg}: true ratio max ${Math.max(...valR).toFixed(1)} (validation), ${Math.max(...testR).toFixed(1)} (test)`,
);
const rows = lambdas.flatMap((lambda, li) =>
  pv[li][0].map((p, t) => ({
    lambda,
    t: t + 1,
    'val RMSE (selection)': Number(rmse(valR, p).toFixed(3)),
    'val nMSE': Number(nmse(valR, p).toFixed(3)),
    'test nMSE': Number(nmse(testR, pt[li][0][t]).toFixed(3)),
    'test max r̂': Number(Math.max(...pt[li][0][t]).toFixed(1)),
  })),
);
console.table(rows);
