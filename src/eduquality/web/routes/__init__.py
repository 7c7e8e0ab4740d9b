"""One router per resource: session (sign-in), home, exams, schools, classes, students, audit."""
