/** The training's one primary button: Play, or Pause while the runs train (the toolbar's and the embed's). */
import { pause, play } from '../store/session.ts';

export function PlayPauseButton({ playing }: { playing: boolean }) {
  return playing ? (
    <button type="button" className="primary" onClick={pause}>
      Pause
    </button>
  ) : (
    <button type="button" className="primary" onClick={play}>
      Play
    </button>
  );
}
