-- Women's two retirement tracks (issue 8, decision 015): the original statutory retirement age a woman's gradual
-- reform starts from, 55 (55 -> 58) or 50 (50 -> 55), recorded at enrolment. NULL: a man, or a woman never enrolled
-- here (a transfer opened the account): the 55 track applies.
ALTER TABLE "person" ADD COLUMN "original_retirement_age" SMALLINT;
