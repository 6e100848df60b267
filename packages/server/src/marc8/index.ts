/**
 * MARC-8 character set support: conversion of MARC-8 field data to Unicode.
 *
 * Decode each subfield (or field) on its own: every call starts in the MARC-8 default state (G0 = ASCII,
 * G1 = ANSEL), as yaz-marcdump does for every subfield.
 *
 * @see MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media, Character Sets parts 2–4
 */
export type {
  Marc8DecodeOptions,
  Marc8DecodeResult,
  Marc8Normalization,
  Marc8Problem,
} from './decode-marc8.ts';
export { decodeMarc8, decodeMarc8Detailed } from './decode-marc8.ts';
