/**
 * The guided tour: lessons, each a link (the settings that make its point)
 * and a few sentences on what to look for. Opening a lesson is opening its
 * link, so a lesson can be shared, locked for students, and changed freely.
 */
export interface TourLesson {
  /** 1..TOUR_LENGTH, as in the link's `tour=` parameter. */
  n: number;
  title: string;
  /** The lesson's link query, without `v=` (added when it is opened). */
  query: string;
  /** What the lesson shows, in a few sentences. */
  text: string;
  /** What the student should look for. */
  lookFor: string;
  /** The sweep the lesson's setting was found with: its link query (page=sweep), opened from the lesson. */
  sweep?: string;
}

export const TOUR: readonly TourLesson[] = [
  {
    n: 1,
    title: 'Watch the dense net explode',
    query: 'preset=dense-explode&pair=0&clip=none&steps=12&tour=1',
    text: "The tutorial's headline run: a 20-25-1 ReLU net trained with SGD (learning rate 0.07, momentum 0.8) on a regression whose targets reach several hundred. No clipping.",
    lookFor:
      'Press Play. The gradient norm grows by orders of magnitude in four steps, each update throws the weights further, and at step 5 the loss overflows to Infinity. The run stops there and says why.',
  },
  {
    n: 2,
    title: 'Clip by value, and it converges',
    query: 'preset=dense-explode&tour=2',
    text: 'The same run twice, from the same weights and the same batches: on the left unclipped, on the right every gradient element clipped to [-1, 1] before the update.',
    lookFor:
      'The left run diverges at step 5; the right one keeps going and its loss falls. In its gradient-norm chart the solid line (computed) sits far above the dashed one (applied): clipping acts on nearly every step.',
  },
  {
    n: 3,
    title: 'The race: value, norm or global norm?',
    query: 'preset=dense-explode&run3=norm:1&run4=global:1&tour=3',
    text:
      'Four runs of the dense net from the same weights and the same batches: no clipping; every gradient ' +
      'element clipped to [-1, 1] (by value); each tensor clipped to norm 1 on its own (per tensor, Keras ' +
      'clipnorm); and all the gradients together clipped to norm 1 (global, torch clip_grad_norm_).',
    lookFor:
      'The unclipped run overflows at step 5; the three clipped ones all survive, but they do not learn alike. ' +
      'Global-norm clipping multiplies the whole gradient by one number: each step is shorter but points where ' +
      'the gradient points (0° on the chart "How far clipping turns the step"). Value clipping cuts the large ' +
      'elements and keeps the small ones: it turns the step about 60°, and its steps are the longest, so its loss ' +
      'falls fastest at first and is the lowest for the first 40 to 90 steps; then it levels off and ends with the ' +
      'highest loss, around 100. Per-tensor norm clipping shrinks each layer by its own factor and turns the step ' +
      'about 30°: it takes the lead from there until about step 200, when global norm overtakes it and ends with ' +
      'by far the lowest loss, about 1 after 400 steps. Clipping is a safety rail against the blow-up; how it clips ' +
      'decides where each step goes.',
  },
  {
    n: 4,
    title: 'Recurrent nets: when clipping hurts',
    query: 'preset=rnn-scale&steps=60&hiddenGradEvery=5&trainSize=2000&testSize=200&evalEvery=30&tour=4',
    text:
      'A tanh RNN reads a digit row by row, 28 steps, its recurrent matrix W_hh started orthogonal x 2. ' +
      'Backpropagation through time multiplies the gradient by diag(tanh\u2032) W_hh once a step, so at first ' +
      'the gradient reaching t = 1 is over 100 times the one at t = 28: it explodes. Left: plain SGD (momentum ' +
      '0.9, learning rate 0.01). Right: the same, clipped to global norm 1.',
    lookFor:
      "Clipping makes it worse here. The unclipped run's first steps are big: within 60 steps ||W_hh|| grows " +
      'from 2 to about 3.5 and a quarter to a third of its hidden units saturate (|h| > 0.99), where tanh passes ' +
      'almost no gradient, so ||dL/dh_1|| / ||dL/dh_28|| falls from over 100 to about 1: it has left the exploding ' +
      'regime and learns (50 to 65% test accuracy, by the seed). The clipped run takes steps some 20 to 30x ' +
      'shorter than its gradient asks for, stays at ||W_hh|| near 2 with few saturated units, keeps exploding ' +
      '(gradient norm 15-40 every step) and barely learns (10 to 25%). Clipping is a safety rail against a blow-up, not a cure.',
  },
  {
    n: 5,
    title: 'Clipping that barely acts',
    query: 'preset=lstm-tf&steps=300&evalEvery=100&tour=5',
    text:
      "The tutorial's TensorFlow model: an LSTM of 32 units reading the digits row by row, Keras's Adam at " +
      'learning rate 0.001. Left unclipped, right clipped by value at 1, from the same weights and batches.',
    lookFor:
      "An LSTM's gates keep its gradients in check: here the gradient rarely has an element beyond 1, so value " +
      'clipping acts on only a few of the 300 steps (see the ticks along the top of its gradient chart, and ' +
      '"What happened"), and the two runs end within a few points of each other. Value clipping looks at each ' +
      "element, not at the norms the gradient chart draws: the LSTM layer's norm, a few units, is the root of the " +
      'sum of some 8,000 squared elements, so few of them reach 1. Clipping is a guard that costs nothing while it ' +
      'does not act.',
  },
  {
    n: 6,
    title: 'The cliff',
    query: 'page=cliff&tour=6',
    text: 'The loss of the one-unit recurrent net of Pascanu, Mikolov and Bengio (2013) over its two parameters w and b. Where a small change of (w, b) flips which state the recurrence settles in, the loss jumps: a wall with an enormous gradient, right next to the valley of good solutions.',
    lookFor:
      'Two descents start at the same point on the wall. The unclipped one takes one huge step and is catapulted onto a flat plateau, where it stays. The clipped one climbs the wall a little and stays near the valley. Click anywhere to start both from there.',
  },
  {
    n: 7,
    title: "The tutorial's broadcast-loss bug",
    query: 'preset=literal-loss&tour=7',
    text: 'The tutorial passes predictions of shape [B, 1] and labels of shape [B] to MSELoss, which broadcasts them to a [B, B] matrix. That loss is mean((p - mean(y))^2) + var(y): the best the net can do is predict the batch mean.',
    lookFor:
      'The clipped run never learns: its loss stalls near var(y), about 23,300, where the corrected loss of lesson 2 fell far lower. Clipping cannot fix a wrong loss. Switch Loss back to "MSE (corrected)" to see the difference.',
  },
  {
    n: 8,
    title: 'The adding problem: clipping lets a plain RNN learn',
    query: 'preset=adding&tour=8',
    text:
      'The adding problem of Pascanu, Mikolov and Bengio (2013). A tanh RNN of 32 units reads 30 pairs (a number ' +
      'between 0 and 1, a marker 0 or 1) and must answer the sum of the two marked numbers, one marked in each half. ' +
      'A net that ignores the markers and always answers 1 scores a mean squared error of 0.167: the dashed line. ' +
      'Both runs use SGD, learning rate 0.1, momentum 0.9; the right one clips the global gradient norm to 0.1.',
    lookFor:
      'Press Play. For the unclipped run this learning rate is far too large: its gradient norm grows a ' +
      'thousandfold within 20 steps, each update throws the weights further, and within 80 steps it overflows ' +
      '(in 10 of 10 seeds 0 to 9; in 89 of 100 seeds 0 to 99). The clipped run cuts its gradient to length 0.1 ' +
      'before every update (clipping acts on nearly every step) and survives. For some 500 steps its loss hovers ' +
      'at the dashed line: it answers about 1 while it finds the markers. Then, how far it gets by step 2,000 ' +
      'depends on the seed: below the line in 8 of 10 seeds (0 to 9) and in 91 of 100 seeds (0 to 99); to a test ' +
      'MSE under 0.05 with 60% or more of the test sequences solved (squared error under 0.04) in 4 of 10 seeds ' +
      'and in 61 of 100 seeds. One seed is an anecdote: try another (Seed, under Training). Its per-time-step ' +
      'chart shows what it had to overcome: over the first few hundred steps the gradient reaching t = 1 is ' +
      'mostly under a tenth of the one at t = 30, so the first marker is barely heard (in 10 of 10 seeds; in 95 ' +
      'of 100 seeds); by step 2,000 the two are of the same order, from a third to about twice, as the net ' +
      'learns to carry the first number to the end (in 6 of 10 seeds; in 70 of 100 seeds). The sweep this setting ' +
      'was found with (open it below) trains the same net for learning rates 0.01 to 0.3 and thresholds 0.03 to 1: ' +
      'unclipped it overflows from learning rate 0.1 up and stays on the line at 0.03 (at 0.01 some seeds learn ' +
      'slowly without clipping); clipped, it learns along the band where learning rate x threshold is about ' +
      '0.01, and stalls below that band or bounces above the line beyond it.',
    sweep: 'preset=adding&page=sweep&sweepLr=0.01:0.3:4&sweepClip=0.03:1:4&sweepSteps=2000&tour=8',
  },
  {
    n: 9,
    title: 'What clipping cannot fix: the gradient that vanishes',
    query: 'preset=adding&seqLen=100&optimizer=adam&lr=0.01&clipNorm=1&evalEvery=250&hiddenGradEvery=50&tour=9',
    text:
      'The adding problem again, now at T = 100: the first marked number must be carried 50 to 99 steps to the ' +
      'answer. The setting of PyTorch\u2019s reference run: a tanh RNN of 32 units, Adam at learning rate 0.01, ' +
      'batch 32, 2,000 steps. Left unclipped, right clipped to global norm 1.',
    lookFor:
      'Press Play. Neither run learns: in 2,000 steps neither test MSE gets below 0.14, about the 0.167 of always ' +
      'answering 1 (the dashed line; on 500 test sequences it scatters by about 0.01 from seed to seed, and ' +
      'Adam\u2019s steps even push it above the line at times), and fewer than half of the ' +
      'test sequences ever count as solved (always answering 1 solves about 36%). Clipping ' +
      'acts (the ticks along the top of its gradient chart), but it does not help: nothing here is too long. The ' +
      'per-time-step chart shows what is wrong instead: the gradient reaching t = 1 is under a tenth of the one ' +
      'at t = 100 from the first step, and over the run it is mostly below a ten-thousandth. The gradient ' +
      'vanishes: the first marker is never heard. Clipping can shorten a gradient that is too long; it cannot ' +
      'lengthen one that has vanished. Now set Model to LSTM and press Play again: from the same data and the same ' +
      'batches, the clipped LSTM (right) solves it within the 2,000 steps: its test MSE falls below 0.01, with over ' +
      '95% of the test sequences solved. Its cell state is carried from step to step by addition, gated, so the ' +
      'gradient has a path back to t = 1 that is not a product of 100 shrinking factors.',
  },
];

/** The link's `tour=` takes 1..TOUR_LENGTH. */
export const TOUR_LENGTH = TOUR.length;

export function lessonLink(lesson: TourLesson): string {
  return `v=1&${lesson.query}`;
}
