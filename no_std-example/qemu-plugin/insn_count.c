/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A QEMU TCG plugin that counts the guest instructions executed between two marker functions,
 * exactly: every translated instruction gets an inline counter increment, and the first
 * instruction of each marker gets a callback that snapshots the counter. Each start..stop
 * region appends one line, "<instructions>", to the output file.
 *
 *   qemu-system-arm ... -plugin ./libinsn_count.so,start=0xADDR,stop=0xADDR,out=FILE
 *
 * Written against QEMU 7.2's plugin API (version 1). Debian does not package its header, so the
 * few declarations used are repeated here.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t executed;    /* every guest instruction, ever */
static uint64_t started_at;  /* `executed` when the start marker ran */
static bool in_region;
static uint64_t start_pc, stop_pc;
static FILE *out;

static void on_start(unsigned int vcpu, void *udata)
{
    (void)vcpu, (void)udata;
    started_at = executed;
    in_region = true;
}

static void on_stop(unsigned int vcpu, void *udata)
{
    (void)vcpu, (void)udata;
    if (in_region) {
        fprintf(out, "%" PRIu64 "\n", executed - started_at);
        in_region = false;
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        /* The snapshot callbacks are registered before the increment of the same instruction,
         * so a region counts from the start marker's first instruction up to, not including,
         * the stop marker's. The constant call overhead is removed by the empty case. */
        if (pc == start_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == stop_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
    }
}

static void on_atexit(qemu_plugin_id_t id, void *udata)
{
    (void)id, (void)udata;
    fclose(out);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv)
{
    (void)info;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "start=", 6) == 0)
            start_pc = strtoull(argv[i] + 6, NULL, 0) & ~1ull; /* Thumb: drop the mode bit */
        else if (strncmp(argv[i], "stop=", 5) == 0)
            stop_pc = strtoull(argv[i] + 5, NULL, 0) & ~1ull;
        else if (strncmp(argv[i], "out=", 4) == 0)
            path = argv[i] + 4;
    }
    if (!start_pc || !stop_pc || !path) {
        fprintf(stderr, "insn_count: needs start=ADDR,stop=ADDR,out=FILE\n");
        return -1;
    }
    out = fopen(path, "w");
    if (!out) {
        perror(path);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
    return 0;
}
