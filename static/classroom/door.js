/** The classroom's door (/classroom): the site header and nothing else to wire. */

import { mountPlainPage } from "../js/plain-page.js";

mountPlainPage("page");
