/*
 * test_protocol.c — the one list of device protocols (devices/proto/
 * protocol.c): every name kiosk.ini, wufei-devsim and the parsers know, its
 * role and line, the names joined for messages, and the scale parsers'
 * front agreeing with the list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol.h"
#include "scale_parser.h"
#include "wf.h"

static void test_protocol_list(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum device_role role;
		const char *line;
	} want[] = {
	    {"mt8217", DEVICE_ROLE_SCALE, "9600 7E1"},
	    {"mt-sics", DEVICE_ROLE_SCALE, "9600 8N1"},
	    {"cas-ci200", DEVICE_ROLE_SCALE, "9600 8N1"},
	    {"xk3190-a9", DEVICE_ROLE_SCALE, "9600 8N1"},
	    {"xk3190-eq", DEVICE_ROLE_SCALE, "9600 8N1"},
	    {"em4100", DEVICE_ROLE_CARD, "9600 8N1"},
	    {"wedge", DEVICE_ROLE_CARD, NULL},
	    {"escpos", DEVICE_ROLE_PRINTER, "115200 8N1"},
	};
	size_t n = sizeof want / sizeof want[0];
	for (size_t i = 0; i < n; i++) {
		const struct protocol *p = protocol_at(i);
		assert_non_null(p);
		assert_string_equal(p->name, want[i].name);
		assert_int_equal(p->role, want[i].role);
		if (want[i].line)
			assert_string_equal(p->line, want[i].line);
		else
			assert_null(p->line);
		assert_true(p->what && p->what[0]);
		assert_int_equal(p->id, (int)i + 1);
		assert_ptr_equal(protocol_find(want[i].name), p);
		assert_ptr_equal(protocol_get(p->id), p);
	}
	assert_null(protocol_at(n));
	assert_null(protocol_find("MT8217"));
	assert_null(protocol_find("mt-8217"));
	assert_null(protocol_find(""));
	assert_null(protocol_find(NULL));
	assert_null(protocol_get((enum protocol_id)0));
	assert_null(protocol_get((enum protocol_id)(n + 1)));
	assert_string_equal(protocol_role_name(DEVICE_ROLE_SCALE), "scale");
	assert_string_equal(protocol_role_name(DEVICE_ROLE_CARD), "card");
	assert_string_equal(protocol_role_name(DEVICE_ROLE_PRINTER), "printer");
	assert_string_equal(protocol_role_name((enum device_role)0), "?");
}

static void test_protocol_names(void **state)
{
	(void)state;
	char buf[160];
	/* kiosk.ini's message, word for word */
	const char *all =
	    "mt8217, mt-sics, cas-ci200, xk3190-a9, xk3190-eq, em4100, wedge or escpos";
	assert_int_equal(protocol_names(0, buf, sizeof buf), strlen(all));
	assert_string_equal(buf, all);
	protocol_names(DEVICE_ROLE_CARD, buf, sizeof buf);
	assert_string_equal(buf, "em4100 or wedge");
	protocol_names(DEVICE_ROLE_PRINTER, buf, sizeof buf);
	assert_string_equal(buf, "escpos");
	/* cut short, always terminated; the length it needed is still said */
	assert_int_equal(protocol_names(0, buf, 10), strlen(all));
	assert_string_equal(buf, "mt8217, m");
	assert_int_equal(protocol_names(0, NULL, 0), strlen(all));
}

static void test_scale_protocols_follow_the_list(void **state)
{
	(void)state;
	const struct protocol *p;
	for (size_t i = 0; (p = protocol_at(i)); i++) {
		enum scale_protocol sp = 0;
		int rc = scale_protocol_parse(p->name, &sp);
		if (p->role != DEVICE_ROLE_SCALE) {
			assert_int_equal(rc, WF_EINVAL);
			assert_int_equal(sp, 0); /* untouched */
			assert_string_equal(scale_protocol_name((enum scale_protocol)p->id), "?");
			continue;
		}
		assert_int_equal(rc, WF_OK);
		assert_int_equal((int)sp, (int)p->id);
		assert_string_equal(scale_protocol_name(sp), p->name);
	}
	enum scale_protocol sp;
	assert_int_equal(scale_protocol_parse(NULL, &sp), WF_EINVAL);
	assert_int_equal(scale_protocol_parse("mt-8217", &sp), WF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_protocol_list),
	    cmocka_unit_test(test_protocol_names),
	    cmocka_unit_test(test_scale_protocols_follow_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
