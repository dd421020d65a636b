/**
 * The "Write a lesson" form, fetched when LessonEditor.tsx's panel first opens: the teacher's title, what to look
 * for, and an optional question with two to four choices, each free or standing for an outcome the lab judges after
 * the runs (experiment/lesson.ts, present/lessonOutcome.ts). Writing updates the page's link (the lesson is part of
 * the view), so Copy link, the student link and the embed link all carry it.
 */
import { sidesOf } from '../experiment/config.ts';
import {
  EMPTY_LESSON,
  FREE_CHOICE,
  LESSON_LIMITS,
  MAX_CHOICES,
  MIN_CHOICES,
  cleanLessonText,
  lessonProblem,
  outcomeId,
  outcomesFor,
  parseOutcome,
  type LessonChoice,
  type TeacherLesson,
} from '../experiment/lesson.ts';
import { encodeExperiment } from '../experiment/urlCodec.ts';
import { lessonRunNames, outcomeWords } from '../present/lessonOutcome.ts';
import { useLab } from '../store/labStore.ts';
import './lesson.css';

/** Links longer than this are refused when opened (experiment/urlCodec.ts); the editor warns before. */
const MAX_LINK_LENGTH = 4096;

function setLesson(lesson: TeacherLesson): void {
  const empty = lesson.title === '' && lesson.look === '' && lesson.question === null;
  useLab.setState((s) => ({ view: { ...s.view, lesson: empty ? null : lesson } }));
}

/** What the teacher typed, without the characters a lesson may not hold (the link would drop them anyway). */
const typed = (value: string) => cleanLessonText(value).text;

/** One of the lesson's texts: its label with a count against its limit, cleaned as the link would clean it. */
function CountedField({
  label,
  value,
  limit,
  rows,
  placeholder,
  onChange,
}: {
  label: string;
  value: string;
  limit: number;
  /** A text area of this many rows; a one-line input without. */
  rows?: number;
  placeholder?: string;
  onChange: (text: string) => void;
}) {
  const common = {
    maxLength: limit,
    value,
    onChange: (e: { target: { value: string } }) => onChange(typed(e.target.value)),
  };
  return (
    <label className="field">
      <span>
        {label}{' '}
        <span className="count">
          {value.length} / {limit}
        </span>
      </span>
      {rows ? (
        <textarea rows={rows} {...common} />
      ) : (
        <input type="text" {...(placeholder ? { placeholder } : {})} {...common} />
      )}
    </label>
  );
}

export function LessonForm() {
  const stored = useLab((s) => s.view.lesson);
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const view = useLab((s) => s.view);
  const cliff = useLab((s) => s.cliff);
  const lesson = stored ?? EMPTY_LESSON;
  const question = lesson.question;
  const outcomes = outcomesFor(sidesOf(config));
  const names = lessonRunNames(config);
  const problem = lessonProblem(lesson);
  const linkLength = encodeExperiment(config, preset, view, cliff).length + 40;
  const setChoice = (i: number, patch: Partial<LessonChoice>) => {
    if (!question) return;
    const choices = question.choices.map((c, k) => (k === i ? { ...c, ...patch } : c));
    setLesson({ ...lesson, question: { ...question, choices } });
  };
  return (
    <div className="lesson-form">
      <p className="hint">
        Shown above the charts like a tour lesson, as plain text; it travels in the link and in the student link.
      </p>
      <CountedField
        label="Title"
        value={lesson.title}
        limit={LESSON_LIMITS.title}
        onChange={(title) => setLesson({ ...lesson, title })}
      />
      <CountedField
        label="What to look for"
        value={lesson.look}
        limit={LESSON_LIMITS.look}
        rows={3}
        onChange={(look) => setLesson({ ...lesson, look })}
      />
      <label className="inline">
        <input
          type="checkbox"
          checked={question !== null}
          onChange={(e) =>
            setLesson({
              ...lesson,
              question: e.target.checked
                ? {
                    ask: '',
                    choices: Array.from({ length: MIN_CHOICES }, () => ({ text: '', outcome: null })),
                  }
                : null,
            })
          }
        />{' '}
        Ask students to predict before Play
      </label>
      {question && (
        <fieldset className="lesson-question-editor">
          <legend>Question</legend>
          <CountedField
            label="Question"
            value={question.ask}
            limit={LESSON_LIMITS.ask}
            placeholder="Which run will reach the lower loss?"
            onChange={(ask) => setLesson({ ...lesson, question: { ...question, ask } })}
          />
          {question.choices.map((c, i) => (
            <div className="choice-row" key={i}>
              <input
                type="text"
                aria-label={`Choice ${i + 1}`}
                maxLength={LESSON_LIMITS.choice}
                value={c.text}
                onChange={(e) => setChoice(i, { text: typed(e.target.value) })}
              />
              <select
                aria-label={`Choice ${i + 1} stands for`}
                value={c.outcome ? outcomeId(c.outcome) : FREE_CHOICE}
                onChange={(e) => setChoice(i, { outcome: parseOutcome(e.target.value) })}
              >
                <option value={FREE_CHOICE}>not judged by the lab</option>
                {outcomes.map((o) => (
                  <option key={outcomeId(o)} value={outcomeId(o)}>
                    judged: {outcomeWords(o, names)}
                  </option>
                ))}
              </select>
              {question.choices.length > MIN_CHOICES && (
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    setLesson({
                      ...lesson,
                      question: { ...question, choices: question.choices.filter((_, k) => k !== i) },
                    })
                  }
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          {question.choices.length < MAX_CHOICES && (
            <button
              type="button"
              className="small"
              onClick={() =>
                setLesson({
                  ...lesson,
                  question: { ...question, choices: [...question.choices, { text: '', outcome: null }] },
                })
              }
            >
              Add a choice
            </button>
          )}
          <p className="hint">
            A judged choice is checked after the runs against the lab&apos;s own figures (&quot;best&quot;: the ranking
            &quot;What happened&quot; gives); a free one is shown beside what happened.
          </p>
        </fieldset>
      )}
      {problem && (
        <p className="hint" role="status">
          {problem}
        </p>
      )}
      {linkLength > MAX_LINK_LENGTH && (
        <p className="hint" role="alert">
          The link is now about {linkLength} characters; links over {MAX_LINK_LENGTH} are not opened. Shorten the text.
        </p>
      )}
      {stored && (
        <button type="button" className="small" onClick={() => setLesson(EMPTY_LESSON)}>
          Remove the lesson
        </button>
      )}
    </div>
  );
}
