/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_FUZZ_CHECK_H
#define VMFENCECTL_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* What the harnesses assert: a failed check is a crash libFuzzer keeps. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "check failed: %s (line %d)\n",	\
				#cond, __LINE__);			\
			abort();					\
		}							\
	} while (0)

#endif /* VMFENCECTL_FUZZ_CHECK_H */
