# escalation-milter — build, install, test.
#
#   make                 build milter/escalation-milter
#   make check           unit, golden, protocol (miltertest) and Postfix tests
#   make demo            sample customer mail through a private Postfix
#   make eval            detection quality on the labelled corpora (V=1: details)
#   make deps            install the Debian packages the above need
#   make install         PREFIX=/usr/local DESTDIR= (daemon, config, rules, man)
#   make SANITIZER=address|undefined   build with a sanitizer
#   make valgrind        unit and golden tests under valgrind
#   make lint            banned calls, cppcheck

PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
CONFDIR   ?= $(SYSCONFDIR)/escalation-milter
DESTDIR   ?=

VERSION   := 0.1.0
PKGS      := milter gmime-3.0 glib-2.0 yaml-0.1 libhs libxml-2.0 json-glib-1.0 \
             sqlite3 hiredis

CC        ?= cc
WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wpointer-arith -Wvla
OPT       ?= -O2 -g
CFLAGS    ?=
ifeq ($(CI),true)
WERROR    ?= -Werror
endif
ifneq ($(SANITIZER),)
SANFLAGS  := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" \
              -DCONFDIR=\"$(CONFDIR)\" $(WARN) $(WERROR) $(OPT) $(SANFLAGS) \
              $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

# The core: everything but the libmilter glue and main().
CORE_SRCS := $(filter-out milter/milter.c milter/main.c,$(wildcard milter/*.c))
CORE_OBJS := $(CORE_SRCS:.c=.o)
BIN       := milter/escalation-milter
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)

.PHONY: all check unit golden protocol e2e demo deps install uninstall clean \
        valgrind lint eval

all: $(BIN)

milter/%.o: milter/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN): $(CORE_OBJS) milter/milter.o milter/main.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

tests/unit/%.o: tests/unit/%.c
	$(CC) $(ALL_CFLAGS) -iquote milter -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.o tests/unit/harness.o $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@sh scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@sh tests/run.sh

unit: $(UNIT_BINS)
	@sh tests/run.sh unit

golden: $(BIN)
	@sh tests/run.sh golden

protocol: $(BIN)
	@sh tests/run.sh protocol

e2e: $(BIN)
	@sh tests/run.sh e2e

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

eval: $(BIN)
	@python3 scripts/eval.py $(if $(V),-v) $(EVAL_DIRS)

valgrind: $(BIN) $(UNIT_BINS)
	@VALGRIND=1 sh tests/run.sh unit golden

lint:
	@sh scripts/lint.sh

install: $(BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(CONFDIR)/rules \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/escalation-milter
	install -m 0644 conf/escalation-milter.yaml $(DESTDIR)$(CONFDIR)/escalation-milter.yaml
	install -m 0644 rules/*.yaml $(DESTDIR)$(CONFDIR)/rules/
	install -m 0644 man/escalation-milter.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/escalation-milter.yaml.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/escalation-milter \
	    $(DESTDIR)$(MANDIR)/man8/escalation-milter.8 \
	    $(DESTDIR)$(MANDIR)/man5/escalation-milter.yaml.5

clean:
	rm -f milter/*.o milter/*.d $(BIN) tests/unit/*.o tests/unit/*.d $(UNIT_BINS)

-include $(wildcard milter/*.d tests/unit/*.d)
