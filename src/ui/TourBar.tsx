/**
 * The guided tour: its lessons, each opened as its link. Inside the tour the
 * current lesson's text says what to look for; the student can still change
 * anything. A teacher's hidden controls stay hidden from lesson to lesson.
 * A link that locks `tour` shows the teacher's lesson, if any, without the
 * buttons that lead to other lessons; one that locks `pages` has no page tabs.
 */
import { TOUR, lessonLink } from '../experiment/tour.ts';
import { leadSentences } from '../present/pageWords.ts';
import { useLab } from '../store/labStore.ts';
import { openLink } from './linkSync.ts';
import { MoreText, useMore } from './MoreText.tsx';
import { SeedButtons } from './SeedButtons.tsx';

function openLesson(n: number): void {
  const lesson = TOUR[n - 1];
  if (!lesson) return; // there is no lesson before the first or after the last
  const { locked } = useLab.getState().view;
  openLink(`#${lessonLink(lesson)}${locked.length > 0 ? `&lock=${locked.join(',')}` : ''}`);
}

/** A lesson's button this short ("6. The cliff") keeps its whole title: cutting it would leave only its number. */
const SHORT_TITLE = 14;

export function TourBar() {
  const tour = useLab((s) => s.view.tour);
  const locked = useLab((s) => s.view.locked.includes('tour'));
  const more = useMore('lesson-more');
  const lesson = tour === null ? null : TOUR[tour - 1];
  if (locked && !lesson) return null;
  // Two sentences of what to look for above the charts; what the lesson is and the rest fold out under "More".
  const { lead, rest } = lesson ? leadSentences(lesson.lookFor) : { lead: '', rest: '' };
  return (
    <nav className="tour" aria-label="Guided tour">
      {!locked && (
        // Every lesson fits one row at 1366 px: a title too long for its share of the row ends in "...", and
        // keeps its full text as its name and tooltip.
        <div className="tour-steps">
          <strong>Guided tour:</strong>
          {TOUR.map((l) => (
            <button
              key={l.n}
              type="button"
              className={`small${l.n === tour ? ' current' : ''}${`${l.n}. ${l.title}`.length <= SHORT_TITLE ? ' whole' : ''}`}
              aria-current={l.n === tour ? 'step' : undefined}
              onClick={() => openLesson(l.n)}
              title={`${l.n}. ${l.title}`}
            >
              {l.n}. {l.title}
            </button>
          ))}
          {lesson && (
            <button
              type="button"
              className="small leave"
              onClick={() => useLab.setState((s) => ({ view: { ...s.view, tour: null } }))}
            >
              Leave the tour
            </button>
          )}
        </div>
      )}
      {lesson && (
        <div className="tour-lesson" data-testid="tour-lesson">
          <div className="lesson-head">
            <h2>
              Lesson {lesson.n} of {TOUR.length}: {lesson.title}
            </h2>
            {/* Beside the title, not a row of their own: a row more pushed the charts out of the first screen. On a
                phone, where the title takes the row, they are in the folded text instead ("More"). */}
            <SeedButtons where="beside-title" />
            {!locked && (
              <div className="buttons">
                <button
                  type="button"
                  className="small"
                  disabled={lesson.n === 1}
                  onClick={() => openLesson(lesson.n - 1)}
                >
                  Previous lesson
                </button>
                <button
                  type="button"
                  className="small"
                  disabled={lesson.n === TOUR.length}
                  onClick={() => openLesson(lesson.n + 1)}
                >
                  Next lesson
                </button>
              </div>
            )}
          </div>
          <p className="lesson-lead">
            {lead} <MoreText.Toggle more={more} label="More about this lesson" />
          </p>
          <MoreText more={more}>
            <SeedButtons where="in-fold" />
            <p>{lesson.text}</p>
            {rest && <p>{rest}</p>}
            {lesson.sweep && (
              <p>
                <a href={`#v=1&${lesson.sweep}`} data-testid="lesson-sweep">
                  Open the sweep this lesson was found with
                </a>{' '}
                (it trains every cell in your browser; the map fills in as they finish).
              </p>
            )}
          </MoreText>
        </div>
      )}
    </nav>
  );
}

/** Switches between the pair of runs, the cliff lesson and the sweep. */
export function PageTabs() {
  const page = useLab((s) => s.view.page);
  const locked = useLab((s) => s.view.locked.includes('pages'));
  if (locked) return null;
  const tabs = [
    { id: 'runs', label: 'Training runs' },
    { id: 'cliff', label: 'The cliff' },
    { id: 'sweep', label: 'Sweep' },
  ] as const;
  return (
    <div className="page-tabs" role="tablist" aria-label="What to show">
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={page === t.id}
          className={page === t.id ? 'current' : undefined}
          onClick={() => useLab.setState((s) => ({ view: { ...s.view, page: t.id } }))}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
