/** The words beside a setting a student cannot change because the teacher's link locked it. */
import './student.css';

export function TeacherTag() {
  return <span className="teacher-tag">set by your teacher</span>;
}
