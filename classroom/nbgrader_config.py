"""nbgrader configuration of the course "lossviz".

The assignments are nbgrader source notebooks in source/<name>/<name>.ipynb. Run
nbgrader from this folder (or let make_student_versions.py and grade.py do it in a
scratch copy of it); see README.md.
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

c.CourseDirectory.course_id = "lossviz"

# For instructors who run `nbgrader autograde` themselves (grade.py does not: it runs each
# submission in a sandbox, see sandbox.py): each cell gets this many seconds; a cell that
# runs longer is interrupted, reported as CellTimeoutError, and the questions whose test
# cells then fail score 0 while the rest of the notebook is still graded.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
