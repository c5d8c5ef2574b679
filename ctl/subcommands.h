/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_SUBCOMMANDS_H
#define VMFENCECTL_SUBCOMMANDS_H

/*
 * Each takes its own name in argv[0] and returns the exit code:
 * EXIT_OK, EXIT_FAIL or EXIT_USAGE.
 */
int port_main(int argc, char *argv[]);
int bridge_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int apply_main(int argc, char *argv[]);
int dump_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int version_main(int argc, char *argv[]);

#endif /* VMFENCECTL_SUBCOMMANDS_H */
