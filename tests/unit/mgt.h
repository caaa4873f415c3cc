/*
 * mgt.h - the unit-test harness: a test file defines `static void test_x(void)`
 * functions and ends with MGT_MAIN(test_x, test_y, ...).  Checks do not stop
 * a test; each failure prints file:line and the expression.  The runner prints
 * "N passed, N failed" and exits non-zero on any failure.  Each test runs in
 * its own scratch directory (mgt_scratch()), removed after a pass.
 */
#ifndef MGT_H
#define MGT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int mgt__failures;
extern const char *mgt__current;

#define MGT_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, \
				mgt__current, #cond); \
			mgt__failures++; \
		} \
	} while (0)

#define MGT_EQ_INT(a, b) \
	do { \
		long long mgt_a = (long long)(a), mgt_b = (long long)(b); \
		if (mgt_a != mgt_b) { \
			fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__, \
				__LINE__, mgt__current, #a, mgt_a, #b, mgt_b); \
			mgt__failures++; \
		} \
	} while (0)

#define MGT_EQ_STR(a, b) \
	do { \
		const char *mgt_a = (a), *mgt_b = (b); \
		if (!mgt_a || !mgt_b || strcmp(mgt_a, mgt_b) != 0) { \
			fprintf(stderr, "%s:%d: %s: %s is\n  \"%s\"\nexpected\n  \"%s\"\n", __FILE__, \
				__LINE__, mgt__current, #a, mgt_a ? mgt_a : "(null)", \
				mgt_b ? mgt_b : "(null)"); \
			mgt__failures++; \
		} \
	} while (0)

typedef struct mgt_case {
	const char *name;
	void (*fn)(void);
} mgt_case;

int mgt_run(const mgt_case *cases, size_t n, int argc, char **argv);
/* The current test's scratch directory (absolute path, created on demand). */
const char *mgt_scratch(void);
/* Directory of test data: tests/ in the source tree. */
const char *mgt_srcdir(void);
/* ../shared next to the source tree, or NULL when absent. */
const char *mgt_shared(void);
/* Writes a file under the scratch dir, creating parent folders; returns its path (static buffer rotation of 8). */
const char *mgt_write(const char *rel, const char *content);

#define MGT__CASE(fn) { #fn, fn },
#define MGT_MAIN(...) \
	int main(int argc, char **argv) \
	{ \
		static const mgt_case cases[] = { MGT__FOREACH(MGT__CASE, __VA_ARGS__) }; \
		return mgt_run(cases, sizeof cases / sizeof cases[0], argc, argv); \
	}

/* Up to 64 cases per file. */
#define MGT__FOREACH(m, ...) MGT__FE_N(__VA_ARGS__, MGT__FE_SEQ, 0)(m, __VA_ARGS__)
#define MGT__FE_N(...) MGT__FE_ARG(__VA_ARGS__)
#define MGT__FE_ARG(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64,N,...) N
#define MGT__FE_SEQ MGT__FE64,MGT__FE63,MGT__FE62,MGT__FE61,MGT__FE60,MGT__FE59,MGT__FE58,MGT__FE57,MGT__FE56,MGT__FE55,MGT__FE54,MGT__FE53,MGT__FE52,MGT__FE51,MGT__FE50,MGT__FE49,MGT__FE48,MGT__FE47,MGT__FE46,MGT__FE45,MGT__FE44,MGT__FE43,MGT__FE42,MGT__FE41,MGT__FE40,MGT__FE39,MGT__FE38,MGT__FE37,MGT__FE36,MGT__FE35,MGT__FE34,MGT__FE33,MGT__FE32,MGT__FE31,MGT__FE30,MGT__FE29,MGT__FE28,MGT__FE27,MGT__FE26,MGT__FE25,MGT__FE24,MGT__FE23,MGT__FE22,MGT__FE21,MGT__FE20,MGT__FE19,MGT__FE18,MGT__FE17,MGT__FE16,MGT__FE15,MGT__FE14,MGT__FE13,MGT__FE12,MGT__FE11,MGT__FE10,MGT__FE9,MGT__FE8,MGT__FE7,MGT__FE6,MGT__FE5,MGT__FE4,MGT__FE3,MGT__FE2,MGT__FE1
#define MGT__FE1(m, x) m(x)
#define MGT__FE2(m, x, ...) m(x) MGT__FE1(m, __VA_ARGS__)
#define MGT__FE3(m, x, ...) m(x) MGT__FE2(m, __VA_ARGS__)
#define MGT__FE4(m, x, ...) m(x) MGT__FE3(m, __VA_ARGS__)
#define MGT__FE5(m, x, ...) m(x) MGT__FE4(m, __VA_ARGS__)
#define MGT__FE6(m, x, ...) m(x) MGT__FE5(m, __VA_ARGS__)
#define MGT__FE7(m, x, ...) m(x) MGT__FE6(m, __VA_ARGS__)
#define MGT__FE8(m, x, ...) m(x) MGT__FE7(m, __VA_ARGS__)
#define MGT__FE9(m, x, ...) m(x) MGT__FE8(m, __VA_ARGS__)
#define MGT__FE10(m, x, ...) m(x) MGT__FE9(m, __VA_ARGS__)
#define MGT__FE11(m, x, ...) m(x) MGT__FE10(m, __VA_ARGS__)
#define MGT__FE12(m, x, ...) m(x) MGT__FE11(m, __VA_ARGS__)
#define MGT__FE13(m, x, ...) m(x) MGT__FE12(m, __VA_ARGS__)
#define MGT__FE14(m, x, ...) m(x) MGT__FE13(m, __VA_ARGS__)
#define MGT__FE15(m, x, ...) m(x) MGT__FE14(m, __VA_ARGS__)
#define MGT__FE16(m, x, ...) m(x) MGT__FE15(m, __VA_ARGS__)
#define MGT__FE17(m, x, ...) m(x) MGT__FE16(m, __VA_ARGS__)
#define MGT__FE18(m, x, ...) m(x) MGT__FE17(m, __VA_ARGS__)
#define MGT__FE19(m, x, ...) m(x) MGT__FE18(m, __VA_ARGS__)
#define MGT__FE20(m, x, ...) m(x) MGT__FE19(m, __VA_ARGS__)
#define MGT__FE21(m, x, ...) m(x) MGT__FE20(m, __VA_ARGS__)
#define MGT__FE22(m, x, ...) m(x) MGT__FE21(m, __VA_ARGS__)
#define MGT__FE23(m, x, ...) m(x) MGT__FE22(m, __VA_ARGS__)
#define MGT__FE24(m, x, ...) m(x) MGT__FE23(m, __VA_ARGS__)
#define MGT__FE25(m, x, ...) m(x) MGT__FE24(m, __VA_ARGS__)
#define MGT__FE26(m, x, ...) m(x) MGT__FE25(m, __VA_ARGS__)
#define MGT__FE27(m, x, ...) m(x) MGT__FE26(m, __VA_ARGS__)
#define MGT__FE28(m, x, ...) m(x) MGT__FE27(m, __VA_ARGS__)
#define MGT__FE29(m, x, ...) m(x) MGT__FE28(m, __VA_ARGS__)
#define MGT__FE30(m, x, ...) m(x) MGT__FE29(m, __VA_ARGS__)
#define MGT__FE31(m, x, ...) m(x) MGT__FE30(m, __VA_ARGS__)
#define MGT__FE32(m, x, ...) m(x) MGT__FE31(m, __VA_ARGS__)
#define MGT__FE33(m, x, ...) m(x) MGT__FE32(m, __VA_ARGS__)
#define MGT__FE34(m, x, ...) m(x) MGT__FE33(m, __VA_ARGS__)
#define MGT__FE35(m, x, ...) m(x) MGT__FE34(m, __VA_ARGS__)
#define MGT__FE36(m, x, ...) m(x) MGT__FE35(m, __VA_ARGS__)
#define MGT__FE37(m, x, ...) m(x) MGT__FE36(m, __VA_ARGS__)
#define MGT__FE38(m, x, ...) m(x) MGT__FE37(m, __VA_ARGS__)
#define MGT__FE39(m, x, ...) m(x) MGT__FE38(m, __VA_ARGS__)
#define MGT__FE40(m, x, ...) m(x) MGT__FE39(m, __VA_ARGS__)
#define MGT__FE41(m, x, ...) m(x) MGT__FE40(m, __VA_ARGS__)
#define MGT__FE42(m, x, ...) m(x) MGT__FE41(m, __VA_ARGS__)
#define MGT__FE43(m, x, ...) m(x) MGT__FE42(m, __VA_ARGS__)
#define MGT__FE44(m, x, ...) m(x) MGT__FE43(m, __VA_ARGS__)
#define MGT__FE45(m, x, ...) m(x) MGT__FE44(m, __VA_ARGS__)
#define MGT__FE46(m, x, ...) m(x) MGT__FE45(m, __VA_ARGS__)
#define MGT__FE47(m, x, ...) m(x) MGT__FE46(m, __VA_ARGS__)
#define MGT__FE48(m, x, ...) m(x) MGT__FE47(m, __VA_ARGS__)
#define MGT__FE49(m, x, ...) m(x) MGT__FE48(m, __VA_ARGS__)
#define MGT__FE50(m, x, ...) m(x) MGT__FE49(m, __VA_ARGS__)
#define MGT__FE51(m, x, ...) m(x) MGT__FE50(m, __VA_ARGS__)
#define MGT__FE52(m, x, ...) m(x) MGT__FE51(m, __VA_ARGS__)
#define MGT__FE53(m, x, ...) m(x) MGT__FE52(m, __VA_ARGS__)
#define MGT__FE54(m, x, ...) m(x) MGT__FE53(m, __VA_ARGS__)
#define MGT__FE55(m, x, ...) m(x) MGT__FE54(m, __VA_ARGS__)
#define MGT__FE56(m, x, ...) m(x) MGT__FE55(m, __VA_ARGS__)
#define MGT__FE57(m, x, ...) m(x) MGT__FE56(m, __VA_ARGS__)
#define MGT__FE58(m, x, ...) m(x) MGT__FE57(m, __VA_ARGS__)
#define MGT__FE59(m, x, ...) m(x) MGT__FE58(m, __VA_ARGS__)
#define MGT__FE60(m, x, ...) m(x) MGT__FE59(m, __VA_ARGS__)
#define MGT__FE61(m, x, ...) m(x) MGT__FE60(m, __VA_ARGS__)
#define MGT__FE62(m, x, ...) m(x) MGT__FE61(m, __VA_ARGS__)
#define MGT__FE63(m, x, ...) m(x) MGT__FE62(m, __VA_ARGS__)
#define MGT__FE64(m, x, ...) m(x) MGT__FE63(m, __VA_ARGS__)

#endif
