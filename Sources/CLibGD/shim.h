#ifndef CLIBGD_SHIM_H
#define CLIBGD_SHIM_H
/* libgd with its built-in bitmap fonts: no font files needed at run time.
   The font getters (gdFontGetLarge, ...) are plain functions, so no shim code. */
#include <gd.h>
#include <gdfontl.h>
#include <gdfontmb.h>
#include <gdfonts.h>
#endif
