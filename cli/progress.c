/* eseal command - batch progress: a bar on a terminal, lines otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "batch.h"

#define TTY_REDRAW 0.1      /* seconds between redraws of the bar */
#define LINE_INTERVAL 5.0   /* seconds between progress lines */

double cli_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p, size_t total)
{
    const char *env = getenv("ESEAL_PROGRESS_INTERVAL");

    memset(p, 0, sizeof(*p));
    p->enabled = total > 1;
    p->tty = isatty(STDERR_FILENO);
    p->start = p->last = cli_now();
    p->total = total;
    p->interval = LINE_INTERVAL;
    if (env != NULL && atof(env) > 0)
        p->interval = atof(env);
}

static void format_eta(char *out, size_t size, double seconds)
{
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);

    if (s >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
}

static int terminal_width(void)
{
    struct winsize ws;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col < 200 ? ws.ws_col : 200;
    return 80;
}

void cli_progress_update(cli_progress *p, size_t sealed, size_t failed,
    int force)
{
    double now = cli_now(), elapsed = now - p->start, rate;
    size_t done = sealed + failed;
    char eta[32], text[160], bar[256];
    int width, n, filled, i;

    if (!p->enabled)
        return;
    if (!force && now - p->last < (p->tty && p->interval > TTY_REDRAW ?
                                       TTY_REDRAW : p->interval))
        return;
    p->last = now;
    rate = elapsed > 0 ? (double)done / elapsed : 0;
    format_eta(eta, sizeof(eta), rate > 0 ? (double)(p->total - done) / rate
                                          : 0);
    if (!p->tty) {
        fprintf(stderr, "eseal: %zu/%zu done (%zu sealed, %zu failed), "
            "%.1f docs/s, ETA %s\n", done, p->total, sealed, failed, rate,
            eta);
        return;
    }
    n = snprintf(text, sizeof(text), " %zu/%zu %3d%% %.1f docs/s ETA %s%s",
        done, p->total, p->total ? (int)(done * 100 / p->total) : 100, rate,
        eta, failed ? " (failures)" : "");
    width = terminal_width() - n - 3;
    if (width > (int)sizeof(bar) - 1)
        width = (int)sizeof(bar) - 1;
    if (width < 10)
        width = 10;
    filled = p->total ? (int)((double)done / (double)p->total * width)
                      : width;
    for (i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[K[%s]%s", bar, text);
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_clear(cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        p->drawn = 0;
    }
}

void cli_progress_summary(cli_progress *p, size_t sealed, size_t failed,
    size_t not_started)
{
    double elapsed = cli_now() - p->start;

    cli_progress_clear(p);
    if (!p->enabled)
        return;
    fprintf(stderr, "eseal: sealed %zu of %zu documents, %zu failed",
        sealed, p->total, failed);
    if (not_started > 0)
        fprintf(stderr, ", %zu not started (interrupted)", not_started);
    fprintf(stderr, "; %.2f s, %.1f docs/s\n", elapsed,
        elapsed > 0 ? (double)(sealed + failed) / elapsed : 0.0);
}
