/**
 * Artillery hooks for scenarios/bot-hoarding.yml. A bot makes several attempts with its one token,
 * cycling over the sale variant and the side variants (trying to hold more than a shopper may); a
 * real shopper makes one attempt at the sale variant. Answers are counted per role, so the runner
 * can tell the bots' 429s from the shoppers' (who must never see one).
 */

/** Before a virtual user starts: its attempts and the variants it goes after. */
export function planAttempts(context, _events, done) {
  const vars = context.vars;
  const isBot = vars.role === 'bot';
  vars.attemptsAllowed = isBot ? Number(vars.botAttempts) : 1;
  vars.targets = isBot
    ? [vars.saleVariantId, ...String(vars.sideVariantIds).split(',').filter(Boolean)]
    : [vars.saleVariantId];
  vars.attempt = 0;
  vars.targetVariantId = vars.targets[0];
  done();
}

/** After each attempt (artillery's `whileTrue` runs after an iteration): go again? */
export function nextAttempt(context, done) {
  const vars = context.vars;
  vars.attempt += 1;
  vars.targetVariantId = vars.targets[vars.attempt % vars.targets.length];
  done(vars.attempt < vars.attemptsAllowed);
}

/** Counts each answer as `stockhold.<role>.<status>` in artillery's report. */
export function countByRole(_request, response, context, events, done) {
  events.emit('counter', `stockhold.${context.vars.role}.${response.statusCode}`, 1);
  done();
}
