/* eseal - organization identifiers: parsing and check digits (orgid.c). */
#ifndef ESEAL_ORGID_H
#define ESEAL_ORGID_H

#include "eseal_int.h"

/*
 * The check digit of a Japanese Corporate Number (法人番号) from its twelve
 * base digits (the number without its first digit): 9 - (sum of digit *
 * weight mod 9), weights 1, 2, 1, 2... from the rightmost base digit.
 * Returns 0..9, or -1 when base12 is not exactly twelve ASCII digits.
 */
int eseal__corporate_number_check_digit(const char *base12);

/*
 * ISO 7064 MOD 97-10 over an upper-case alphanumeric string (letters count
 * A=10 ... Z=35).  Returns the remainder 0..96, or -1 for any other
 * character or an empty string.
 */
int eseal__mod97(const char *s);

#endif
