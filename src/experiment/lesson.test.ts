import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.ts';
import { cleanLessonText, lessonProblem, predictionKey, type TeacherLesson } from './lesson.ts';
import { DEFAULT_VIEW, decodeExperiment, encodeExperiment } from './urlCodec.ts';

const CONFIG = PRESETS['dense-explode'].config;
const LESSON: TeacherLesson = {
  title: 'Why clip? <b>really</b>',
  look: 'Watch the red run. It overflows. Then the blue one & its loss = 50?',
  question: {
    ask: 'Which run will reach the lower loss?',
    choices: [
      { text: 'The clipped run', outcome: { kind: 'best', side: 'clipped' } },
      { text: 'The unclipped run', outcome: { kind: 'best', side: 'baseline' } },
      { text: 'No idea', outcome: null },
    ],
  },
};

function linkOf(lesson: TeacherLesson | null): string {
  return encodeExperiment(CONFIG, 'dense-explode', { ...DEFAULT_VIEW, lesson });
}

describe("a teacher's lesson in the link", () => {
  it('round-trips title, text, question, choices and what each choice stands for', () => {
    const link = linkOf(LESSON);
    expect(link).toContain('title=Why+clip%3F+%3Cb%3Ereally%3C%2Fb%3E');
    expect(link).toContain('judge=lower-clipped%2Clower-baseline%2C-');
    const decoded = decodeExperiment(link);
    expect(decoded.issues).toEqual([]);
    expect(decoded.view.lesson).toEqual(LESSON);
  });

  it('writes nothing for no lesson, and empty fields are left out', () => {
    expect(linkOf(null)).toBe('v=1&preset=dense-explode');
    expect(linkOf({ title: ' ', look: '', question: null })).toBe('v=1&preset=dense-explode');
    expect(decodeExperiment('v=1&title=').view.lesson).toBeNull();
  });

  it('survives a student link and locking', () => {
    const locked = encodeExperiment(CONFIG, 'dense-explode', { ...DEFAULT_VIEW, lesson: LESSON, locked: ['model'] });
    expect(decodeExperiment(locked).view).toMatchObject({ lesson: LESSON, locked: ['model'] });
  });

  it.each([
    ['title', 81],
    ['look', 401],
    ['ask', 201],
  ])('refuses a %s over its limit, naming the key', (key, n) => {
    const decoded = decodeExperiment(`v=1&${key}=${'x'.repeat(n)}&a1=A&a2=B`);
    expect(decoded.issues.map((i) => i.param)).toContain(key);
    expect(decoded.issues.find((i) => i.param === key)?.message).toMatch(/at most \d+ characters/);
    expect(decoded.issues.every((i) => i.value.length <= 43)).toBe(true);
  });

  it('refuses a choice over 60 characters and a question left with fewer than two choices', () => {
    const decoded = decodeExperiment(`v=1&ask=Which%3F&a1=${'y'.repeat(61)}&a2=B`);
    expect(decoded.issues.map((i) => i.param)).toEqual(['a1', 'ask']);
    expect(decoded.view.lesson).toBeNull();
  });

  it('a 10 kB title is refused with the whole link (longer than a link may be), never shown', () => {
    const decoded = decodeExperiment(`v=1&title=${'<script>alert(1)</script>'.repeat(400)}`);
    expect(decoded.view.lesson).toBeNull();
    expect(decoded.issues[0]?.param).toBe('(link)');
  });

  it('removes right-to-left overrides, isolates and control characters, and says so naming the key', () => {
    const raw = 'abc\u202Egnp.exe\u2066x\u2069\u0000\u0007\u009B\uFEFF';
    expect(cleanLessonText(raw)).toEqual({ text: 'abcgnp.exex', removed: 7 });
    expect(cleanLessonText('two\nlines\tand\u2028more')).toEqual({ text: 'two lines and more', removed: 0 });
    expect(cleanLessonText('lone \uD800 and \uDC00 but 🙂 stays')).toEqual({
      text: 'lone  and  but 🙂 stays',
      removed: 2,
    });
    const decoded = decodeExperiment(`v=1&title=${encodeURIComponent('Lesson \u202E1')}`);
    expect(decoded.view.lesson?.title).toBe('Lesson 1');
    expect(decoded.issues).toEqual([
      expect.objectContaining({ param: 'title', message: expect.stringContaining('text-direction') }),
    ]);
  });

  it('keeps markup as the literal text it is (it is rendered as text, never as markup)', () => {
    const look = '<img src=x onerror=alert(1)> & <script>alert(1)</script>';
    const decoded = decodeExperiment(`v=1&look=${encodeURIComponent(look)}`);
    expect(decoded.view.lesson?.look).toBe(look);
    expect(decoded.issues).toEqual([]);
  });

  it('refuses choices without a question, unknown outcomes and outcomes of runs not trained, naming the key', () => {
    expect(decodeExperiment('v=1&a1=A&a2=B').issues.map((i) => i.param)).toEqual(['a1']);
    const unknown = decodeExperiment('v=1&ask=Q&a1=A&a2=B&judge=lower-third,nope');
    expect(unknown.issues.map((i) => i.param)).toEqual(['judge', 'judge']);
    expect(unknown.view.lesson?.question?.choices.map((c) => c.outcome)).toEqual([null, null]);
    const race = decodeExperiment('v=1&run3=value:1&ask=Q&a1=A&a2=B&judge=lower-third,diverge-baseline');
    expect(race.issues).toEqual([]);
    expect(decodeExperiment('v=1&ask=Q&a1=A&a2=A').issues.map((i) => i.param)).toEqual(['a2', 'ask']);
    expect(decodeExperiment('v=1&judge=close').issues.map((i) => i.param)).toEqual(['judge']);
  });

  it('says what an unfinished question still needs', () => {
    expect(lessonProblem(LESSON)).toBeNull();
    expect(lessonProblem({ ...LESSON, question: { ask: 'Q', choices: [{ text: 'A', outcome: null }] } })).toMatch(
      /at least 2/,
    );
  });

  it('keys a prediction by the lesson and the experiment', () => {
    const a = predictionKey(LESSON, 'v=1&preset=dense-explode');
    expect(a).toMatch(/^gradient-lab\.prediction\.[0-9a-f]{8}$/);
    expect(predictionKey(LESSON, 'v=1&preset=dense-explode')).toBe(a);
    expect(predictionKey(LESSON, 'v=1&preset=adding')).not.toBe(a);
    expect(predictionKey({ ...LESSON, title: 'Other' }, 'v=1&preset=dense-explode')).not.toBe(a);
  });
});
