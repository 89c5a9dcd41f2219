/**
 * Dormand–Prince 8(5,3), the method of Hairer's DOP853 (P. J. Prince & J. R. Dormand, "High order embedded
 * Runge–Kutta formulae", J. Comput. Appl. Math. 7 (1981) 67–75; Hairer, Nørsett & Wanner, *Solving ODEs I*, 2nd ed.,
 * §II.10 and Hairer's code dop853.f; the same coefficients as SciPy's `solve_ivp(method='DOP853')`). p = 8.
 *
 * Twelve stages give the 8th-order solution y_{n+1} = y_n + h Σ_{i≤12} b_i k_i. tide writes it as a 13-stage FSAL
 * tableau: stage 13 has c = 1 and a-row = b (b_13 = 0), so k_13 = f(t_{n+1}, y_{n+1}) is the next step's k_1 and an
 * attempted step costs 12 evaluations, exactly as in SciPy (whose K has n_stages + 1 = 13 rows for it). Stages 12
 * and 13 share c = 1, which gives Shampine's stiffness estimate for free.
 *
 * Step control combines two embedded estimates (§II.10, "Error estimation"): err = h Σ e5_i k_i of a 5th-order
 * solution b̂₅ = b − e5 (bErr) and err₂ = h Σ e3_i k_i of a 3rd-order one b̂₃ = b − e3 (bErr2, b̂₃ has weights only
 * at k_1, k_9, k_12). With e₁ = ‖err‖ and e₂ = ‖err₂‖ in the solve's norm, the error ratio is
 *
 *     E = e₁² / sqrt(e₁² + 0.01 e₂²),
 *
 * which behaves like h⁸ (errorOrder 7: controller exponent 1/8 and the initial step's (0.01/‖f'‖)^{1/8}, as DOP853
 * and SciPy's error_estimator_order = 7). With the RMS norm this is SciPy's `_estimate_error_norm`:
 * (h²S₅/n) / ((|h|/√n) sqrt(S₅ + 0.01 S₃)) = |h| S₅ / sqrt(n (S₅ + 0.01 S₃)), S = Σ (Σ_i e_i k_i / sc)².
 *
 * Dense output: the 7th-order interpolant of DOP853 (dense/dopri8.ts), which needs 3 extra evaluations per step
 * when asked for. PI gains: Hairer's stabilised setting for DOP853, β = 0.04 ("positive values of BETA (≤ 0.04)
 * make the step size control more stable", dop853.f WORK(5); his default is β = 0, a pure I controller), i.e. the
 * exponents of dop853.f's fac = err^{1/8 − 0.2β} / facold^β: β1 = 0.117, β2 = 0.04. On bench/dop853's 12 problems
 * this reaches a given accuracy with about as many NFE as SciPy's DOP853 (pure I with its step rules; tide's
 * `controller: 'scipy'` reproduces those exactly).
 */
import { defineTableau } from '../tableau.ts';
import { dopri8Dense } from '../dense/dopri8.ts';

/** 8th-order weights b_1 … b_12 (b_2 … b_5 = 0), then b_13 = 0 for the FSAL stage. */
const b = [
  5.42937341165687622380535766363e-2, 0, 0, 0, 0, 4.45031289275240888144113950566, 1.89151789931450038304281599044,
  -5.8012039600105847814672114227, 3.1116436695781989440891606237e-1, -1.52160949662516078556178806805e-1,
  2.01365400804030348374776537501e-1, 4.47106157277725905176885569043e-2, 0,
];

/** Weights of the 3rd-order solution b̂₃ (at k_1, k_9, k_12). */
const BHH1 = 0.244094488188976377952755905512;
const BHH2 = 0.733846688281611857341361741547;
const BHH3 = 0.220588235294117647058823529412e-1;

/** e3 = b − b̂₃, formed in double arithmetic exactly as Hairer's dop853.f and SciPy do. */
const e3 = b.map((bi, i) => (i === 0 ? bi - BHH1 : i === 8 ? bi - BHH2 : i === 11 ? bi - BHH3 : bi));
e3[12] = 0;

/** Dormand–Prince 8(5,3) (DOP853): 12 + 1 FSAL stages, two error estimates, 7th-order dense output (`'dopri8'`). */
export const dopri8 = defineTableau({
  name: 'dopri8', order: 8, errorOrder: 7,
  c: [
    0, 0.526001519587677318785587544488e-1, 0.789002279381515978178381316732e-1, 0.118350341907227396726757197510,
    0.281649658092772603273242802490, 0.333333333333333333333333333333, 0.25, 0.307692307692307692307692307692,
    0.651282051282051282051282051282, 0.6, 0.857142857142857142857142857142, 1, 1,
  ],
  a: [
    [],
    [5.26001519587677318785587544488e-2],
    [1.97250569845378994544595329183e-2, 5.91751709536136983633785987549e-2],
    [2.95875854768068491816892993775e-2, 0, 8.87627564304205475450678981324e-2],
    [2.41365134159266685502369798665e-1, 0, -8.84549479328286085344864962717e-1, 9.24834003261792003115737966543e-1],
    [3.7037037037037037037037037037e-2, 0, 0, 1.70828608729473871279604482173e-1, 1.25467687566822425016691814123e-1],
    [3.7109375e-2, 0, 0, 1.70252211019544039314978060272e-1, 6.02165389804559606850219397283e-2, -1.7578125e-2],
    [3.70920001185047927108779319836e-2, 0, 0, 1.70383925712239993810214054705e-1, 1.07262030446373284651809199168e-1,
      -1.53194377486244017527936158236e-2, 8.27378916381402288758473766002e-3],
    [6.24110958716075717114429577812e-1, 0, 0, -3.36089262944694129406857109825, -8.68219346841726006818189891453e-1,
      2.75920996994467083049415600797e1, 2.01540675504778934086186788979e1, -4.34898841810699588477366255144e1],
    [4.77662536438264365890433908527e-1, 0, 0, -2.48811461997166764192642586468, -5.90290826836842996371446475743e-1,
      2.12300514481811942347288949897e1, 1.52792336328824235832596922938e1, -3.32882109689848629194453265587e1,
      -2.03312017085086261358222928593e-2],
    [-9.3714243008598732571704021658e-1, 0, 0, 5.18637242884406370830023853209, 1.09143734899672957818500254654,
      -8.14978701074692612513997267357, -1.85200656599969598641566180701e1, 2.27394870993505042818970056734e1,
      2.49360555267965238987089396762, -3.0467644718982195003823669022],
    [2.27331014751653820792359768449, 0, 0, -1.05344954667372501984066689879e1, -2.00087205822486249909675718444,
      -1.79589318631187989172765950534e1, 2.79488845294199600508499808837e1, -2.85899827713502369474065508674,
      -8.87285693353062954433549289258, 1.23605671757943030647266201528e1, 6.43392746015763530355970484046e-1],
    // FSAL stage 13: Y_13 = y_{n+1}.
    b.slice(0, 12),
  ],
  b,
  // e5 = b − b̂₅ (dop853.f er1 … er12).
  bErr: [
    0.1312004499419488073250102996e-1, 0, 0, 0, 0, -0.1225156446376204440720569753e+1, -0.4957589496572501915214079952,
    0.1664377182454986536961530415e+1, -0.3503288487499736816886487290, 0.3341791187130174790297318841,
    0.8192320648511571246570742613e-1, -0.2235530786388629525884427845e-1, 0,
  ],
  bErr2: e3,
  errorCombination: 'dop853',
  dense: dopri8Dense,
  piGains: { beta1: 1 / 8 - 0.2 * 0.04, beta2: 0.04 },
  reference: 'P. J. Prince, J. R. Dormand, J. Comput. Appl. Math. 7 (1981) 67–75; Hairer, Nørsett & Wanner, Solving ODEs I, §II.10 (DOP853)',
});
