/**
 * How the page was opened: the offer to reopen a run a reload interrupted (ReopenBanner), then what was wrong
 * with the link, and what was used instead. Text only: nothing from the link is rendered as markup.
 */
import { useLab } from '../store/labStore.ts';
import { ReopenBanner } from './ReopenBanner.tsx';

export function LinkIssues() {
  return (
    <>
      <ReopenBanner />
      <LinkProblems />
    </>
  );
}

function LinkProblems() {
  const issues = useLab((s) => s.linkIssues);
  const dismiss = useLab((s) => s.dismissLinkIssues);
  if (issues.length === 0) return null;
  return (
    <div className="link-issues" role="alert" data-testid="link-issues">
      <strong>Some of this link's settings could not be used.</strong>
      <ul>
        {issues.slice(0, 12).map((issue, i) => (
          <li key={i}>
            <code>{issue.param}</code> = <code>{issue.value}</code>: {issue.message}
          </li>
        ))}
        {issues.length > 12 && <li>and {issues.length - 12} more.</li>}
      </ul>
      <button type="button" className="small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
