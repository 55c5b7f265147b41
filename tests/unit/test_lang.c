/*
 * test_lang.c - the Spanish, French and German rule files (rules/es.yaml,
 * fr.yaml, de.yaml) loaded the way the shipped configuration loads them:
 * after rules/default.yaml, extending its categories.
 *
 * Each sentence is normalised and run through detect_run() with the whole
 * rule set.  The tables say which category must have an expression (and
 * the chargeback state), which must not, and which sentences must leave
 * every category empty: innocent uses of trigger words (a lawyer
 * customer, the bank that declined a card, reviews read before buying,
 * "me llamo", "avis de passage", "Gericht" as a dish), negations, other
 * people's scams, and everyday words the English rules would otherwise
 * misread ("retard" is a delay in French, "damit" is German for "so
 * that").  The process categories (stalled, solution-rejected) and a
 * neutral promise of a review are covered too.  Also checked: the
 * configuration lists the files in that order, and every rule id of a
 * language file carries its language tag.
 */
#include <glib.h>
#include <string.h>

#include "conf.h"
#include "detect.h"
#include "harness.h"
#include "norm.h"
#include "rules.h"

#define NO CB_STATE_NONE
#define TH CB_STATE_THREATENED
#define OP CB_STATE_OPENED

/* A sentence and a category that must (hit) or must not have an
 * expression; for chargeback hits, the state. */
static const struct {
	const char *text;
	const char *cat;
	bool hit;
	enum cb_state state;
} cases[] = {
	/* Spanish: abuse */
	{ "Sois unos estafadores.", "abuse", true, NO },
	{ "Esto es una mierda, joder.", "abuse", true, NO },
	{ "Menuda panda de inutiles.", "abuse", true, NO },
	{ "Me estáis tomando el pelo.", "abuse", true, NO },
	{ "No es una estafa, solo un error de la web.", "abuse", false, NO },
	{ "Es inútil seguir esperando.", "abuse", false, NO },
	{ "El jamón está de puta madre.", "abuse", false, NO },
	{ "Soy tonto, me equivoqué de talla.", "abuse", false, NO },
	/* Spanish: legal */
	{ "Pondré el asunto en manos de mi abogado.", "legal", true, NO },
	{ "Os llevo a juicio.", "legal", true, NO },
	{ "Presentaré una hoja de reclamaciones en la OMIC.", "legal", true,
	    NO },
	{ "No quiero tener que llamar a mi abogado.", "legal", true, NO },
	{ "No voy a denunciarles, solo quiero mi dinero.", "legal", false,
	    NO },
	{ "Mi hermana es abogada y me recomendó la tienda.", "legal", false,
	    NO },
	{ "La demanda de este producto es muy alta.", "legal", false, NO },
	/* Spanish: manager */
	{ "Quiero hablar con un responsable.", "manager-demand", true, NO },
	{ "Páseme con su supervisor.", "manager-demand", true, NO },
	{ "Escalen mi caso, por favor.", "manager-demand", true, NO },
	{ "El responsable de vuestro almacén fue muy amable.",
	    "manager-demand", false, NO },
	{ "Me gusta escalar montañas.", "manager-demand", false, NO },
	/* Spanish: chargeback */
	{ "Llamaré a mi banco para que anule el cargo.", "chargeback", true,
	    TH },
	{ "Haré un contracargo.", "chargeback", true, TH },
	{ "He abierto una disputa en PayPal.", "chargeback", true, OP },
	{ "Ya he devuelto el recibo.", "chargeback", true, OP },
	{ "No voy a abrir ninguna disputa con PayPal.", "chargeback", false,
	    NO },
	{ "He llamado a mi banco para que autoricen el pago.", "chargeback",
	    false, NO },
	/* Spanish: review and phone */
	{ "Dejaré una reseña negativa.", "review-threat", true, NO },
	{ "Lo publicaré en redes sociales.", "review-threat", true, NO },
	{ "Vi vuestro anuncio en redes sociales.", "review-threat", false,
	    NO },
	{ "Os dejaré una reseña de cinco estrellas.", "review-threat", false,
	    NO },
	{ "Llámenme, por favor.", "phone-demand", true, NO },
	{ "Quiero hablar con una persona.", "phone-demand", true, NO },
	{ "No me llamen, prefiero el correo.", "phone-demand", false, NO },
	{ "Me llamo Lucía y me llama la atención el precio.", "phone-demand",
	    false, NO },

	/* French: abuse */
	{ "Bande d'escrocs !", "abuse", true, NO },
	{ "Vous êtes des incapables.", "abuse", true, NO },
	{ "C'est du foutage de gueule.", "abuse", true, NO },
	{ "Ce n'est pas une arnaque, juste une erreur.", "abuse", false, NO },
	{ "Putain, c'est trop bon !", "abuse", false, NO },
	{ "Je me suis senti idiot.", "abuse", false, NO },
	{ "Colis en retard de dix jours.", "abuse", false, NO },
	/* French: legal */
	{ "Je vous mets en demeure de me rembourser.", "legal", true, NO },
	{ "Je vais porter plainte.", "legal", true, NO },
	{ "J'ai saisi la DGCCRF.", "legal", true, NO },
	{ "Je vais saisir la justice.", "legal", true, NO },
	{ "Je ne vais pas porter plainte.", "legal", false, NO },
	{ "Mes avocats sont arrivés trop mûrs.", "legal", false, NO },
	{ "La garantie légale de conformité s'applique.", "legal", false,
	    NO },
	/* French: manager */
	{ "Je veux parler à un responsable.", "manager-demand", true, NO },
	{ "Je veux parler au directeur du magasin.", "manager-demand", true,
	    NO },
	{ "J'écrirai à la direction.", "manager-demand", true, NO },
	{ "Je suis responsable des achats.", "manager-demand", false, NO },
	{ "Notre chef adore vos couteaux.", "manager-demand", false, NO },
	/* French: chargeback */
	{ "Je ferai opposition auprès de ma banque.", "chargeback", true,
	    TH },
	{ "J'ouvrirai un litige PayPal.", "chargeback", true, TH },
	{ "J'ai ouvert un litige sur PayPal.", "chargeback", true, OP },
	{ "J'ai contesté le prélèvement auprès de ma banque.", "chargeback",
	    true, OP },
	{ "J'ai dû faire opposition sur ma carte car elle a été volée.",
	    "chargeback", false, NO },
	{ "En cas de litige, que prévoient vos conditions ?", "chargeback",
	    false, NO },
	/* French: review and phone */
	{ "Je laisserai un avis négatif.", "review-threat", true, NO },
	{ "Je raconterai tout sur les réseaux sociaux.", "review-threat",
	    true, NO },
	{ "À mon avis, l'avis de passage est faux.", "review-threat", false,
	    NO },
	{ "J'avais lu de très bons avis.", "review-threat", false, NO },
	{ "Rappelez-moi au plus vite.", "phone-demand", true, NO },
	{ "Je veux parler à un être humain.", "phone-demand", true, NO },
	{ "Pouvez-vous me rappeler le numéro de commande ?", "phone-demand",
	    false, NO },
	{ "Ne m'appelez pas.", "phone-demand", false, NO },
	{ "Je m'appelle Marc.", "phone-demand", false, NO },

	/* German: abuse */
	{ "Ihr Betrüger!", "abuse", true, NO },
	{ "So eine Scheiße.", "abuse", true, NO },
	{ "Scheißladen, nie wieder!", "abuse", true, NO },
	{ "Was für eine Verarsche.", "abuse", true, NO },
	{ "Das ist kein Betrug, sondern ein Versehen.", "abuse", false, NO },
	{ "Verdammt gut, der Kaffee.", "abuse", false, NO },
	{ "Ich komme mir wie ein Idiot vor.", "abuse", false, NO },
	{ "Ich gehe damit zur Post, damit es schneller geht.", "abuse",
	    false, NO },
	/* German: legal */
	{ "Ich werde einen Anwalt einschalten.", "legal", true, NO },
	{ "Ich werde Sie verklagen.", "legal", true, NO },
	{ "Dann sehen wir uns vor Gericht.", "legal", true, NO },
	{ "Die Verbraucherzentrale ist informiert.", "legal", true, NO },
	{ "Mein Mann ist Anwalt und hat Ihren Shop empfohlen.", "legal",
	    false, NO },
	{ "Das Gericht war lecker.", "legal", false, NO },
	/* German: manager */
	{ "Ich möchte Ihren Vorgesetzten sprechen.", "manager-demand", true,
	    NO },
	{ "Ich wende mich an die Geschäftsführung.", "manager-demand", true,
	    NO },
	{ "Mein Chef hat mir Ihren Shop empfohlen.", "manager-demand", false,
	    NO },
	/* German: chargeback */
	{ "Ich lasse die Zahlung über meine Bank zurückbuchen.",
	    "chargeback", true, TH },
	{ "Ich werde der Lastschrift widersprechen.", "chargeback", true,
	    TH },
	{ "Ich habe bei PayPal einen Konflikt eröffnet.", "chargeback", true,
	    OP },
	{ "Ich habe die Zahlung zurückbuchen lassen.", "chargeback", true,
	    OP },
	{ "Bitte veranlassen Sie die Rückbuchung auf mein Konto.",
	    "chargeback", false, NO },
	{ "Hiermit widerrufe ich den Kaufvertrag.", "chargeback", false,
	    NO },
	/* German: review and phone */
	{ "Ich werde eine schlechte Bewertung schreiben.", "review-threat",
	    true, NO },
	{ "Ich werde alle meine Freunde vor Ihrem Shop warnen.",
	    "review-threat", true, NO },
	{ "Ich hatte viele positive Bewertungen gelesen.", "review-threat",
	    false, NO },
	{ "Rufen Sie mich bitte zurück.", "phone-demand", true, NO },
	{ "Ich möchte mit einem echten Menschen sprechen.", "phone-demand",
	    true, NO },
	{ "Bitte rufen Sie mich nicht an.", "phone-demand", false, NO },
	{ "Gibt es einen Rückruf für dieses Produkt?", "phone-demand", false,
	    NO },

	/* all three: process failures and neutral promises */
	{ "Sigo esperando una respuesta.", "stalled", true, NO },
	{ "Je vous relance.", "stalled", true, NO },
	{ "Das ist bereits meine dritte E-Mail.", "stalled", true, NO },
	{ "Eso no soluciona nada.", "solution-rejected", true, NO },
	{ "Je refuse le bon d'achat.", "solution-rejected", true, NO },
	{ "Einen Gutschein akzeptiere ich nicht.", "solution-rejected", true,
	    NO },
	{ "Les dejaré una valoración cuando esté todo montado.",
	    "review-threat", false, NO },
	{ "Je laisserai un avis une fois le bureau monté.", "review-threat",
	    false, NO },
	{ "Ich schreibe gerne eine Bewertung, sobald alles steht.",
	    "review-threat", false, NO },
	{ "Des frais inutiles.", "abuse", false, NO },
	/* a trigger right after a word that ends like a longer form of it
	 * ("eres" ends in "es", "los" in "os", "puisque" in "que") */
	{ "Eres un inútil.", "abuse", true, NO },
	{ "Los voy a poner a parir en internet.", "review-threat", true, NO },
	{ "Puisque des bandits comme vous gèrent ce site...", "abuse", true,
	    NO },
};

/* Sentences that must leave every category without an expression. */
static const char *const innocent[] = {
	"¿Podrían decirme si la talla M volverá a estar disponible?",
	"Mi banco rechazó el pago; he llamado y ya está autorizado.",
	"Compré el banco de jardín para regalárselo a mi jefe.",
	"Buenos días, soy abogada y necesito una factura.",
	"Est-ce que ce modèle existe en 42 ?",
	"Le livreur m'a appelé ce matin, très pratique.",
	"J'ai commandé des avocats et des mangues.",
	"Ist der Tisch auch in Eiche erhältlich?",
	"Der Paketbote hat mich gestern angerufen, sehr freundlich.",
	"Ich bin Rechtsanwalt und benötige eine Rechnung.",
	"Meine Bank braucht Ihre IBAN für die Überweisung.",
	"Leider fehlt eine Schraube, damit ich das Regal aufbauen kann.",
	/* English words that look like the other languages' triggers */
	"A fickle cat watched a bandit movie about a charlatan.",
};

/* Whether every rule id from FILE carries ".TAG." (e.g. "abuse.es.x"). */
static void
check_ids(const struct ruleset *rs, const char *file, const char *tag)
{
	char *want = g_strdup_printf(".%s.", tag);
	size_t n = 0;

	for (size_t i = 0; i < ruleset_nrules(rs); i++) {
		const struct rule *r = ruleset_rule(rs, i);

		if (!g_str_has_suffix(r->file, file))
			continue;
		n++;
		CHECK(strstr(r->id, want) != NULL, "%s: rule id '%s' has %s",
		    file, r->id, want);
	}
	CHECK(n > 0, "%s has rules in the shipped configuration", file);
	g_free(want);
}

/* Loads the shipped configuration with its rule files from the tree. */
static struct conf *
load_conf(void)
{
	struct diag d;
	struct conf *c = NULL;
	char *path = g_build_filename(harness_srcdir(), "conf",
	    "escalation-milter.yaml", NULL);
	char *base = g_build_filename(harness_srcdir(), "conf", "..", NULL);
	gchar *buf;
	gsize len;

	diag_init(&d);
	if (g_file_get_contents(path, &buf, &len, NULL)) {
		c = conf_load_mem(path, buf, len, base, &d);
		CHECK(c != NULL, "shipped config loads: %s",
		    d.n ? d.lines[0] : "");
		g_free(buf);
	} else {
		CHECK(false, "cannot read %s", path);
	}
	diag_clear(&d);
	g_free(base);
	g_free(path);
	return c;
}

/* The rule files are default, es, fr, de, in that order. */
static void
check_files(const struct conf *c)
{
	static const char *const want[] = { "default.yaml", "es.yaml",
		"fr.yaml", "de.yaml" };
	size_t n = 0;

	while (c->rules_files[n] != NULL)
		n++;
	CHECK(n == G_N_ELEMENTS(want), "%zu rule files, want %zu", n,
	    G_N_ELEMENTS(want));
	for (size_t i = 0; i < n && i < G_N_ELEMENTS(want); i++)
		CHECK(g_str_has_suffix(c->rules_files[i], want[i]),
		    "rule file %zu is %s, want %s", i, c->rules_files[i],
		    want[i]);
}

/* Runs one sentence; v is filled, the caller clears it. */
static void
scan(const struct ruleset *rs, struct rules_scratch *s, const char *text,
    struct verdict *v)
{
	struct limits lim = { 1 << 20, 1 << 20, 8, 8, 100, 80, 5, 100 };
	size_t len;
	char *t = norm_text(text, strlen(text), &len);

	verdict_init(v);
	detect_run(rs, s, t, len, &lim, v);
	g_free(t);
}

static void
check_cases(const struct ruleset *rs, struct rules_scratch *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int cat = ruleset_cat_index(rs, cases[i].cat);
		struct verdict v;
		char *ev;

		CHECK(cat >= 0, "category %s exists", cases[i].cat);
		if (cat < 0)
			continue;
		scan(rs, s, cases[i].text, &v);
		ev = harness_evidence(&v.sig[cat]);
		CHECK((v.sig[cat].count > 0) == cases[i].hit,
		    "'%s': %s count %u, want %s [%s]", cases[i].text,
		    cases[i].cat, v.sig[cat].count,
		    cases[i].hit ? "a hit" : "none", ev);
		if (cases[i].hit && cases[i].state != NO)
			CHECK(v.sig[cat].state == cases[i].state,
			    "'%s': state %s, want %s", cases[i].text,
			    rules_state_name(v.sig[cat].state),
			    rules_state_name(cases[i].state));
		g_free(ev);
		verdict_clear(&v);
	}
}

static void
check_innocent(const struct ruleset *rs, struct rules_scratch *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(innocent); i++) {
		struct verdict v;

		scan(rs, s, innocent[i], &v);
		for (size_t k = 0; k < v.nsig; k++) {
			char *ev = harness_evidence(&v.sig[k]);

			CHECK(v.sig[k].count == 0, "'%s': %s has %u [%s]",
			    innocent[i], v.sig[k].cat->id, v.sig[k].count,
			    ev);
			g_free(ev);
		}
		CHECK(!v.escalate, "'%s': not escalated", innocent[i]);
		verdict_clear(&v);
	}
}

/* Whole messages that must fire: thresholds and decisive rules. */
static void
check_fired(const struct ruleset *rs, struct rules_scratch *s)
{
	static const struct {
		const char *text, *cat;
	} fire[] = {
		{ "Sois unos ladrones. ¡Me cago en todo!", "abuse" },
		{ "Solo trataré este tema por teléfono.", "phone-demand" },
		{ "Je ne répondrai plus par mail.", "phone-demand" },
		{ "Ich werde nicht mehr per E-Mail mit Ihnen kommunizieren.",
		    "phone-demand" },
		{ "Je laisserai un avis négatif sur Trustpilot.",
		    "review-threat" },
		{ "Ich habe die Lastschrift bei meiner Bank zurückgegeben.",
		    "chargeback" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(fire); i++) {
		int cat = ruleset_cat_index(rs, fire[i].cat);
		struct verdict v;

		if (cat < 0)
			continue;
		scan(rs, s, fire[i].text, &v);
		CHECK(v.sig[cat].fired, "'%s': %s fires", fire[i].text,
		    fire[i].cat);
		verdict_clear(&v);
	}
}

int
main(void)
{
	struct conf *c = load_conf();
	struct rules_scratch *s;

	if (c == NULL || c->rules == NULL)
		return harness_done("lang");
	check_files(c);
	check_ids(c->rules, "/es.yaml", "es");
	check_ids(c->rules, "/fr.yaml", "fr");
	check_ids(c->rules, "/de.yaml", "de");
	s = rules_scratch_new(c->rules);
	check_cases(c->rules, s);
	check_innocent(c->rules, s);
	check_fired(c->rules, s);
	rules_scratch_free(s);
	conf_unref(c);
	return harness_done("lang");
}
