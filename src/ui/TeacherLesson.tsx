/**
 * A teacher's lesson (experiment/lesson.ts), shown like a tour lesson above the charts: its title, two sentences of
 * what to look for and the rest under "More", and, if the teacher asked one, a question the student answers before
 * Play. After the runs end it shows the prediction beside the lab's own sentence of what happened (the one "What
 * happened" prints) and, where the choice stands for an outcome, whether it came true (present/lessonOutcome.ts).
 *
 * Every text the teacher wrote is React text: whatever it holds (markup, scripts) is shown as the characters it is.
 * Play is never blocked: the question comes first on the page, before Play, with "Predict before you press Play";
 * a student who plays anyway is told after the runs that there was no prediction. A dialog that stops Play would
 * get in the way of a teacher at a projector and of a student who only wants to look again.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { RUN_SIDES } from '../experiment/config.ts';
import { predictionKey, type LessonChoice, type TeacherLesson as Lesson } from '../experiment/lesson.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { lessonRunNames, outcomeHolds, outcomeWords, type LessonRun } from '../present/lessonOutcome.ts';
import { summarizeStory } from '../present/narrator.ts';
import { leadSentences } from '../present/pageWords.ts';
import { useLab, type LabState } from '../store/labStore.ts';
import { MoreText, useMore } from './MoreText.tsx';
import { comparedSentence } from './comparedSentence.ts';
import { useNarrations } from './Narration.tsx';
import { SeedButtons } from './SeedButtons.tsx';
import { loadPrediction, savePrediction } from './prediction.ts';
import './lesson.css';

const DONE = new Set(['finished', 'diverged', 'crashed']);

/** Where the runs stand, for the question: not started (it can be answered), training, or all ended. */
function useRunsStage(): 'before' | 'training' | 'ended' {
  // One word a run, so the page re-renders when a run starts or ends, not with every step.
  const list = useLab(
    useShallow((s) =>
      RUN_SIDES.flatMap((side) => s.runs[side] ?? []).map((r) =>
        DONE.has(r.phase) ? 'ended' : r.step > 0 ? 'training' : 'before',
      ),
    ),
  );
  if (list.length === 0 || list.every((r) => r === 'before')) return 'before';
  return list.every((r) => r === 'ended') ? 'ended' : 'training';
}

/** The lab's own sentence of what happened: the pair or race compared, or a lone run's summary. */
function whatHappened(runs: LabState['runs']): string {
  const together = comparedSentence(runs);
  if (together) return together;
  const lone = RUN_SIDES.flatMap((side) => runs[side] ?? []).find((r) => r.narration);
  return lone?.narration ? summarizeStory(lone.narration, lone.clip) : '';
}

function Verdict({ choice, lesson }: { choice: LessonChoice | null; lesson: Lesson }) {
  useNarrations();
  const config = useLab((s) => s.config);
  const runs = useLab.getState().runs;
  const views = RUN_SIDES.flatMap((side) => runs[side] ?? []);
  if (views.some((r) => r.phase === 'crashed'))
    return (
      <p className="lesson-verdict" data-testid="lesson-verdict">
        A run crashed, so the lab cannot say what happened; press Reset to try again.
      </p>
    );
  const lessonRuns: LessonRun[] = views.flatMap((r) =>
    r.narration ? [{ side: r.side, clip: r.clip, story: r.narration }] : [],
  );
  const happened = whatHappened(runs);
  const judged = choice?.outcome ? outcomeHolds(choice.outcome, lessonRuns) : null;
  const words = choice?.outcome ? outcomeWords(choice.outcome, lessonRunNames(config)) : '';
  return (
    <div className="lesson-verdict" data-testid="lesson-verdict" role="status">
      <p>
        {choice ? (
          <>
            You predicted: <strong>{choice.text}</strong>.
          </>
        ) : (
          <>You did not predict ({lesson.question?.ask}).</>
        )}{' '}
        What happened: {happened || 'the runs took no step.'}
      </p>
      {choice?.outcome &&
        (judged === null ? (
          <p>The lab cannot tell from these runs whether {words}.</p>
        ) : (
          <p className={judged ? 'matched' : 'missed'} data-testid="lesson-match">
            {judged
              ? `Your prediction came true: ${words}.`
              : `Your prediction did not come true: it is not so that ${words}.`}
          </p>
        ))}
    </div>
  );
}

function Question({ lesson, storageKey }: { lesson: Lesson; storageKey: string }) {
  const question = lesson.question;
  const [answer, setAnswer] = useState<string | null>(() => loadPrediction(storageKey));
  const [kept, setKept] = useState(true);
  const stage = useRunsStage();
  if (!question) return null;
  const choice = question.choices.find((c) => c.text === answer) ?? null;
  return (
    <>
      <fieldset className="lesson-question" disabled={stage !== 'before'}>
        <legend>{question.ask}</legend>
        <p className="hint">
          {stage === 'before'
            ? 'Predict before you press Play.'
            : 'Your prediction is kept while the runs train; Reset to change it.'}
        </p>
        {question.choices.map((c, i) => (
          <label key={c.text} className="inline lesson-choice">
            <input
              type="radio"
              name={`lesson-${storageKey}`}
              value={String(i)}
              checked={answer === c.text}
              onChange={() => {
                setAnswer(c.text);
                setKept(savePrediction(storageKey, c.text));
              }}
            />{' '}
            {c.text}
          </label>
        ))}
        {!kept && <p className="hint">This browser does not keep it; it lasts until you leave the page.</p>}
      </fieldset>
      {stage === 'ended' && <Verdict choice={choice} lesson={lesson} />}
    </>
  );
}

export function TeacherLesson() {
  const lesson = useLab((s) => s.view.lesson);
  const page = useLab((s) => s.view.page);
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const more = useMore('teacher-lesson-more');
  if (!lesson) return null;
  const { lead, rest } = leadSentences(lesson.look);
  const storageKey = predictionKey(lesson, encodeExperiment(config, preset));
  return (
    <section className="teacher-lesson tour-lesson" aria-labelledby="teacher-lesson-title" data-testid="teacher-lesson">
      <h2 id="teacher-lesson-title">
        <span className="lesson-from">From your teacher:</span> {lesson.title || 'What to look for'}
      </h2>
      {lead && (
        <p className="lesson-lead">
          {lead} {rest && <MoreText.Toggle more={more} label="More of the teacher's text" />}
        </p>
      )}
      {rest && (
        <MoreText more={more}>
          <p>{rest}</p>
        </MoreText>
      )}
      {page === 'runs' && lesson.question && <Question key={storageKey} lesson={lesson} storageKey={storageKey} />}
      <SeedButtons />
    </section>
  );
}
