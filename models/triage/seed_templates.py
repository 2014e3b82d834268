"""Hand-written phrasings for the triage seed set, one bank per intent.

Read by ``make_seed.py``. Each line is ``SENTIMENT URGENCY [LANG] | text``:
SENTIMENT is ``-`` negative, ``0`` neutral, ``+`` positive; URGENCY is ``l`` low,
``n`` normal, ``h`` high, ``c`` critical; LANG is an ISO 639-1 code (English when
absent). A ``!`` after the codes keeps a phrasing out of composed multi-intent posts,
where it would contradict the other half (praise for a fast delivery next to
"where is my order"). Labels belong to the line, so a phrasing is judged once, by a person, and
the noise added later never changes its meaning. ``{slots}`` are filled per row.
Rows of one intent that mention another (``"ordered Monday, arrived next morning"``
in praise) are deliberate hard negatives.
"""

from __future__ import annotations

BANKS: dict[str, str] = {}

BANKS["order_status"] = """
0n | where is my order {order}?
0n | hi, any update on order {order}? placed it on {day}
0n | can you tell me the status of my order {order} please
0n | order {order} still says processing, is that normal?
-n | ordered a {product} {n} days ago and the status hasn't changed since. what's going on
0n | has order {order} shipped yet? no email so far
0n | is there a way to track my order without the app? order no. {order}
0n | placed an order last night and never got a confirmation email. did it go through?
0n | my order {order} says "dispatched" but there's no tracking number. where is it actually?
0n | tracking for {track} hasn't updated in 2 days, can you check where my parcel is?
0n | quick q: when will order {order} ship? it said 1-2 business days
0n | how do I check my order status? can't find it anywhere in my account
-n | been refreshing the tracking page all day. order {order}. any news??
0n | hello! just wondering if my {product} is on its way yet, order {order}
0n | which courier is delivering order {order}? want to make sure someone's home
0n | can someone confirm my order {order} was actually placed? card shows {amount} pending but no confirmation
0n | the app has said "order received" for {order} since {day}. is it stuck?
0n | status of {order}? need it before the weekend
-n | DM'd you 2 days ago about order {order} and no reply. I just want to know where it is
0n | tracking number {track} says label created only. has it actually been handed to {courier}?
0n | what does "awaiting fulfilment" mean on my order? {order}
0n | got a text saying my parcel is out for delivery but no time slot, order {order}. roughly when?
0n | tracking shows 2 parcels for {order} but only one has arrived so far, is the second one still coming?
0n | could you check on order {order} for me? placed {day}, nothing on tracking yet
0n | order number {order}. when can I expect it? there's no estimated date shown
-n | {brand} where tf is my order. {order}. that's all I want to know
0n | pre-ordered the {product}, any idea when pre-orders start shipping? order {order}
0n | can you confirm which address order {order} is going to? I moved last month
0n | is my click & collect order {order} ready yet? haven't had the email
0n | order {order} shows delivered to the parcel locker but I have no pickup code. where do I get it?
0n | just checking: does "shipped" mean it has left your warehouse? order {order}
+n | super excited for my {product} 😍 any update on when order {order} ships?
+n | first time ordering from {brand}! how do I follow my order {order}?
0n | can I get an ETA on {order}? tracking number is {track}
0n | order {order} - status please 🙏
0n | when will my order arrive? ordered {day}, standard delivery
0n | my confirmation email says {date} but tracking shows nothing yet, is that date still right?
-n | 3rd time asking: where is order {order}?? your chat bot just loops
0n | did order {order} go out today? need to know if I should stay home tomorrow
0n | how long between "processing" and "shipped" usually? order {order}
0n | anyone know how long {brand} takes to ship? mine ({order}) has been processing since {day}
0n | order status page just says "pending". is something wrong with {order}?
0n | can you resend the tracking link for {order}? deleted the email by accident
0n | is there a number I can use to track {order}? the email only has the order number
0 n es | hola, ¿dónde está mi pedido {order}? lo hice el {day}
0 n es | ¿me podéis decir el estado del pedido {order}? el seguimiento no se actualiza
- n es | llevo {n} días esperando el pedido {order} y sigue "en preparación". ¿qué pasa?
0 n fr | bonjour, où en est ma commande {order} ? aucune mise à jour depuis {day}
0 n fr | pouvez-vous me donner le suivi de la commande {order} svp
0 n de | Hallo, wo ist meine Bestellung {order}? Die Sendungsverfolgung zeigt nichts an
0 n de | Wann wird Bestellung {order} verschickt? Steht seit Tagen auf "in Bearbeitung"
0 n pt | olá, qual é o estado do meu pedido {order}? comprei há {n} dias
0 n pt | oi, meu pedido {order} já foi enviado? não recebi nenhum email
0 n it | ciao, a che punto è il mio ordine {order}? il tracking è fermo
0 n it | quando verrà spedito l'ordine {order}? grazie
0 n nl | hoi, waar blijft mijn bestelling {order}? nog geen track & trace ontvangen
0 n nl | kunnen jullie checken wat de status is van bestelling {order}?
"""

BANKS["shipping_delay"] = """
-n | my order {order} was supposed to arrive {day} and it's still not here
-n | delivery was promised by {date}, it's now {n} days late. {order}
-n | parcel has been "in transit" for {n} days. {track}. is it lost?
-n | paid {amount} for next day delivery and it's been 4 days. {order}
-n | stuck at the {courier} depot in {city} since {day}. tracking {track}
-n | waited in all day for my {product} and nothing. no update, no email. {order}
-n | {courier} says delayed due to "operational issues". {order}, when will it actually come?
-n | the delivery date on {order} keeps moving back. first {day}, now next week?!
-n | ordered a birthday present {weeks} weeks ago, the party was yesterday. still not delivered 🙃
-n | love how "2-day shipping" means {n} days with you guys 🙄
-n | great, my parcel went on a tour of {city} instead of coming to me. another 3 days i guess
0n | hi, tracking says delayed for {order}. any idea of a new delivery date?
0n | is there a delay with {courier} deliveries in {city} at the moment? {order} hasn't moved
-n | {n} days and my order still hasn't left the warehouse, even though it said in stock
-n | your site said arrives by {day}. it is now the following week and no sign of {order}
-n | missed my delivery slot without any note or email. who do I talk to? {order}
-n | tracking says "delivery attempted" but I was home all day and nobody knocked. {track}
-n | customs has been holding my parcel for {n} days. {order} shipped from your EU warehouse
-n | why is my express order slower than standard? {order} still isn't here
-n | still waiting on {order}. {weeks} weeks. getting ridiculous
-n | what's the point of paying for express delivery if it's late anyway {order}
-n | third rescheduled delivery for {order}. I took a day off work for this
-n | {brand} shipping is a joke. ordered a {product} on {date}, still nothing
0n | my package seems stuck, last scan in {city} on {day}. {track}. can you chase the courier?
-n | estimated delivery: yesterday. actual delivery: ??? {order}
-n | it's been sat at "out for delivery" for 3 days now lol {track}
-n | order {order} late again. second time this month
-n | need the {product} for a trip on {day} and it's now showing a delay. will it make it?
0n | due to the snow is delivery delayed in {city}? my order {order} was due today
-n | christmas present ordered on {date}, now it says it won't arrive till after christmas 😡
-n | your courier partner has had my parcel for a week doing nothing. {track}
-n | my {product} has been "arriving tomorrow" for 5 days straight
-n | literally every order from {brand} is late. the current one, {order}, is {n} days overdue
-n | paid for named-day delivery on {day}. didn't come. no explanation. {order}
0n | hi, my parcel {track} was due {day} but hasn't arrived. could you look into it?
-n | did the delivery van get lost or something? {order} hasn't moved since {day}
-n | seriously {brand}, {n} business days for delivery and counting. {order}
0n | parcel stuck in transit ({track}), should I keep waiting or will you reship?
-n | oh cool, delivery delayed AGAIN 👍 {order}
-n | was told on chat that {order} would arrive {day}. it didn't. now what
-n | tracking hasn't moved for a week. {track}. {courier} says ask the sender. so... asking the sender
0n | my delivery window was 8-12 and it's now 3pm. is the driver still coming? {order}
- n es | mi pedido {order} tenía que llegar el {day} y todavía nada
- n es | el paquete lleva {n} días "en tránsito" con {courier}. ¿se ha perdido? {track}
- n fr | ma commande {order} devait arriver {day}, toujours rien. c'est quoi ce retard ?
- n fr | colis bloqué depuis {n} jours chez {courier}. {track}
- n de | Lieferung {order} ist seit {n} Tagen überfällig. Was ist da los?
- n de | Paket hängt seit {day} im Verteilzentrum fest. {track}
- n pt | meu pedido {order} está atrasado há {n} dias. a previsão de entrega já passou
- n it | il pacco doveva arrivare {day} ma è ancora fermo. ordine {order}
- n nl | mijn pakket {track} zou {day} komen maar is er nog steeds niet
0 n es | ¿hay retrasos en los envíos a {city}? el pedido {order} no se mueve
0 n de | Gibt es gerade Verzögerungen beim Versand? Bestellung {order} steht still
- n it | sono passati {n} giorni dalla data di consegna prevista. ordine {order}
"""

BANKS["damaged_or_wrong_item"] = """
-n | my {product} arrived smashed. box was fine, item wasn't. {order}
-n | received the wrong item. ordered a {product}, got a {product2}. {order}
-n | wrong size sent, ordered M and got XL. order {order}
-n | opened my order and the {product} is cracked down the side. pic: {link}
-n | missing item from {order} - paid for 3, got 2
-n | parcel arrived soaking wet and the {product} inside is ruined
-n | this is the second {product} that's arrived broken. {order}
-n | your courier clearly threw my parcel over the fence. the {product} is dented
-n | got someone else's order?? different name on the label. mine was {order}
-n | the {eproduct} doesn't turn on out of the box. DOA. {order}
-n | received a used {product}, there's hair and scratches on it. sold as new. {order}
-n | colour is completely different from the website. ordered black, got navy. {order}
-n | box was empty. literally empty. {order} 🤡
-n | great, ordered a {product} and got a phone case 🙃 {order}
-n | half the screws are missing from my {product}, can't assemble it. {order}
-n | glass shattered in transit. {order}. can you send a replacement?
-n | my {product} came with a big scratch on the front {link}
-n | food order arrived with the seal broken, not eating that. {order}
-n | the {eproduct} I got is a different model from the one I paid for
-n | wrong item again!!! that's twice now {brand}. {order}
0n | hi, I think you sent the wrong colour for {order}, how do I swap it?
0n | my {gadget} arrived without the charging cable. order {order}
-n | the screen on my new {gadget} has dead pixels straight out of the box
-n | packaging was fine but the {product} inside is bent
-n | one of the legs snapped during assembly, looks like a manufacturing defect. {order}
-n | ordered 2 {wears}, got 1 and a random toothbrush?? {order}
-n | best before date on the stuff you delivered was last month. {order}
-n | love {brand} normally but this {product} came broken. {order}
-n | the {wear} I got has a hole in the seam and a stain on the sleeve. {order}
-n | size label says L but it's clearly an S. {order}
-n | received 3 left shoes. not joking. {order}
-c | my {eproduct} started smoking the first time I plugged it in. could have burned my house down. {order}
-c | the {eproduct} sparked and burned my hand. this is dangerous
-c | found a piece of glass in the food I ordered from you. my kid nearly ate it
-c | the {eproduct} I received has exposed wires. this is a fire hazard
-c | the toy arrived with small parts broken off, that's a choking hazard for a toddler. {order}
-c | the {gadget} battery swelled up and started leaking after a day. that's not safe
-c | got an electric shock from the {eproduct} you sent me. {order}
-c | the snack was labelled nut-free and my daughter had an allergic reaction. it contains peanuts
-c | the {eproduct} caught fire on my kitchen counter last night. {link}
-c | handle on the pressure cooker snapped and boiling water went everywhere. I'm burned
0n | received the {wear} in the wrong size, what's the quickest way to get the right one?
- n es | el {product} llegó roto. pedido {order}
- n es | me habéis enviado un artículo equivocado, pedí talla M y llegó una XL
- n fr | colis reçu avec le {product} cassé. commande {order}
- n fr | vous m'avez envoyé le mauvais article, ce n'est pas ce que j'ai commandé
- n de | {product} kam beschädigt an, total zerkratzt. Bestellung {order}
- n de | Falscher Artikel geliefert. Bestellt war etwas ganz anderes. {order}
- n pt | recebi o produto errado, pedido {order}
- n it | il {product} è arrivato rotto, la scatola era distrutta
- n nl | verkeerde artikel ontvangen bij bestelling {order}
- c es | el cargador echó chispas y casi se incendia. es peligroso
- c fr | le chargeur a pris feu cette nuit, c'est dangereux !
- c de | Das Ladegerät hat geraucht und ist geschmolzen. Brandgefahr!
"""

BANKS["return_refund"] = """
0n | how do I return a {product}? can't find the returns form
0n | what's your return policy on sale items?
0n | can I return something I bought online to the {city} store?
0n | is return shipping free? want to send back {order}
0n | I want to return my {wear}, it doesn't fit. how long do I have?
0n | hi, how do I start a return for order {order}?
0n | bought a gift the person doesn't want, can they return it without a receipt?
0n | can I exchange my {wear} for a different size instead of getting a refund?
0n | do you refund to the original card or as store credit?
0n | posted my return {day}, how long until the refund shows up?
-h | sent back my {product} {weeks} weeks ago and still no refund of {amount}. {order}
-h | where is my refund?? {amount} for {order}, you confirmed receipt on {date}
-h | refund was "processed" {n} days ago and my bank has nothing. {amount}
-h | you cancelled my order {order} and kept my {amount}. refund it please
-h | I've been promised a refund 3 times now. still waiting on {amount}
-n | the returns label link in the email is broken, how am I meant to send it back? {order}
-h | {courier} says you received my return on {date}, so where's my money? {amount}
-h | only got half of my {amount} refund back. where's the rest? {order}
-h | the refund went to a card I've cancelled. how do I get my {amount}?
-n | why should I pay {amount} return postage when the item was faulty?
0n | I dropped my return at the post office, do I need to send you the receipt? {order}
0n | can I get a refund instead of the voucher you offered?
-h | {weeks} weeks waiting for a refund. {weeks} WEEKS. {order}
-c | last time I ask: refund my {amount} by friday or I'm going to the small claims court
-c | {weeks} weeks and no refund, my lawyer will be in touch. {order}
-h | cancelled within the cooling-off period, still no refund of {amount}. {order}
0n | is it possible to return only one item from order {order}?
0n | do I need the original packaging to return the {product}?
0n | I'd like a refund for the {product}, changed my mind. it's unopened. how does that work?
-h | refund shows as completed on your side but nothing on my statement. {amount}, {order}
0n | can I return a {product} bought in {city} at a store in another city?
-h | "refunds take 5-7 days". it's been 20. {amount}
-h | returned the {wear} in store and was told the refund would come by email. nothing yet
+n | hey {brand} love the {wear} but it's too small 😅 how do I swap it for a bigger one?
0n | what's the returns address if I'm sending from abroad? order {order}
-h | refund pending for {n} days. I need that money for rent tbh
0n | does the 30 day return period start from the order date or the delivery date?
-h | love that taking my money takes 2 seconds but refunding it takes {weeks} weeks 🙃 {order}
0n | I was told I'd get a refund for the late delivery fee, how do I claim it? {order}
0n | can I return the {eproduct} if I've opened the box but not used it?
-h | my return was marked "received" a month ago and the refund still says pending
0n | what happens to my refund if I return an item I got with a discount code?
0 n es | ¿cómo hago una devolución del pedido {order}?
- h es | devolví el {product} hace {n} días y todavía no me habéis devuelto los {amount}
0 n fr | comment retourner un article acheté en ligne ? commande {order}
- h fr | toujours pas remboursé de {amount}, retour reçu le {date}
0 n de | Wie funktioniert die Rücksendung? Bestellung {order}
- h de | Rückerstattung von {amount} immer noch nicht da, das Paket ist seit {n} Tagen bei euch
0 n pt | como faço para devolver o pedido {order}?
- h pt | ainda não recebi o reembolso de {amount}. devolvi o produto há {n} dias
0 n it | come posso fare un reso per l'ordine {order}?
- h it | aspetto ancora il rimborso di {amount}, reso consegnato il {date}
0 n nl | hoe kan ik bestelling {order} retourneren?
- h nl | nog steeds geen terugbetaling van {amount} ontvangen na mijn retour
"""

BANKS["billing_problem"] = """
-h | I've been charged twice for order {order}. {amount} x2 on my statement
-h | great, charged twice 🙃 {order}
-h | why was I charged {amount} when the checkout said {amount2}?
-h | you took {amount} from my account for an order that was cancelled
-h | there's a {amount} charge from {brand} on my card from {date} that I don't recognise
-h | I cancelled my subscription last month and you still billed me {amount}
-h | double charged AGAIN. {amount} twice. sort it out {brand}
-h | promo code applied at checkout but I was charged full price. {order}
-h | charged for delivery even though the site said free delivery on this order. {order}
-h | payment failed but the money left my account anyway. {amount}, no order created
-h | my bank shows a pending {amount} from you from 2 weeks ago that never dropped off
-h | you charged me in dollars instead of pounds and now I've paid conversion fees
-h | the invoice says {amount} but I agreed {amount2} with your sales rep
-c | you've charged my card {k} times for the same order. {amount} each. stop taking my money
-c | every single day this week another {amount} charge from {brand}. I never authorised these
-c | {k} charges of {amount} on my account from you and now I'm overdrawn. fix this NOW
-c | you keep charging me after I cancelled. that's {k} months of {amount}. reporting you to my bank and trading standards
-h | wow thanks for the surprise {amount} charge 🙄 didn't order anything
-h | my card was charged but the order shows "payment failed". {order}. which is it?
-h | charged {amount} for an annual plan I never signed up for
-h | the free trial was supposed to be free. charged {amount} on day 1
-h | billed for 2 {products}, only ordered one. {order}
-h | VAT charged twice on my invoice for {order}, can someone fix it
0h | hi, I think there's a duplicate payment on order {order}, could you check please?
0h | noticed two transactions for {amount} from {brand} today but only one order. can you look?
-h | charged {amount} in "service fees" that weren't shown anywhere at checkout
-h | {brand} billed my card ending {last4} twice this month
-h | gift card applied but the full {amount} was still taken from my card
-h | why does my bill say {amount} when my plan is {amount2} a month?
-h | auto-renewal charged {amount} without any reminder email. I want it reversed
-h | overcharged on my last order, the receipt says one thing and my bank says another
-h | paid with paypal and my card got charged too?? {order}
-h | absolutely love paying twice for the same thing 😊 cheers {brand}
-h | charged {amount} for a cancelled order and your chat says "wait 10 days". no
-h | the shelf said {amount2} but the till charged me {amount}
-h | why is there a {amount} pre-authorisation on my card for a much smaller order?
-c | someone keeps placing orders with my card through your site, {k} so far and I didn't make any of them
-h | cancelled my membership weeks ago and you've charged me again this month
0h | my statement shows {brand} took {amount} instead of {amount2}, can you explain the difference?
-h | the price jumped from {amount2} to {amount} at the payment step. what's that about?
-h | store credit disappeared from my account and I was charged the full {amount} instead
- h es | me habéis cobrado dos veces el pedido {order}, {amount} cada vez
- h es | genial, cobrado por duplicado 🙃
- c es | ya van {k} cargos de {amount} en mi tarjeta. ¡dejad de cobrarme!
- h fr | j'ai été débité deux fois pour la commande {order}
- h fr | prélèvement de {amount} alors que j'ai résilié mon abonnement
- h de | Ihr habt mir {amount} doppelt abgebucht. Bestellung {order}
- c de | Schon {k} Abbuchungen von {amount}, obwohl ich gekündigt habe!
- h pt | fui cobrado duas vezes pelo pedido {order}
- h it | mi avete addebitato {amount} due volte
- h nl | ik ben twee keer afgeschreven voor bestelling {order}
- h nl | er is {amount} afgeschreven terwijl de kassa {amount2} zei
- h it | addebito di {amount} non autorizzato sulla mia carta
"""

BANKS["account_access"] = """
-h | can't log in to my account, it keeps saying wrong password even after a reset
-h | password reset email never arrives. tried 5 times
-h | my account has been locked and I have an order in progress
-h | the 2FA code never comes through by SMS so I'm locked out
-h | changed phones and now I can't get the 2FA code. locked out of my {brand} account
-h | login page just loops back to the login page. tried 3 browsers
-h | account suspended for no reason?? I've been a customer for 6 years
-h | "account not found" but I've literally got orders on it
-h | can't sign in with Google on the {brand} app anymore
-h | locked out after too many attempts, now it says wait 24h. I need to change my delivery address today
-h | I changed my email and now I can't get into my old account. how do I recover it?
0h | hi, how do I recover my account if I no longer have access to the email on it?
-h | I forgot my password and the reset link says expired straight away
-c | someone hacked my account and changed the email. I can't get in and there are orders I didn't make
-c | my {brand} account was taken over, they changed the password and placed an order to an address in {city}
-c | got an email saying my password was changed. it wasn't me. now I can't log in. HELP
-c | my account has been hacked and my saved card was used for {amount} worth of orders
-c | someone logged into my account from another country and ordered stuff, respond ASAP
-h | the verification code says invalid every single time
-h | the app logged me out and now won't accept my password
-h | can't access my account to cancel an order before it ships!!
-h | your login wants a code sent to a phone number I don't have anymore. locked out
-h | stuck on the "verify it's you" screen forever
-h | my account got deleted?? all my order history is gone
-h | I can't change my password, the button does nothing
-h | you closed my account without telling me and there's a {amount} balance on it
-h | how do I get back into my account? the security questions don't work
0h | is there a way to unlock my account without calling? I'm abroad right now
-h | locked out of my account for 3 days now and support hasn't replied
-h | 10/10 love being locked out of my own account 🙃
-h | reset password → email never comes → repeat. fun times
-h | sign in with Apple made a second account and neither has my orders
-h | it says my email is already in use but I can't log into that account
-h | "too many requests" when I try to log in, and I haven't logged in for weeks
-h | the magic login link just takes me to a blank page
0h | my kid changed the password on my account and now neither of us can get in 😂
-h | can't log in since the update, it keeps saying "session expired"
-c | someone is in my account right now changing my details, I can see the emails coming in
-c | hacked. my {brand} account has orders going to a stranger. lock it please
-c | I didn't change my password but got a reset confirmation, and my address on the account is different now
0h | my loyalty account won't let me sign in, says my card number is not recognised
- h es | no puedo entrar en mi cuenta, el código de verificación no llega
- c es | me han hackeado la cuenta y han cambiado el correo. hay pedidos que no he hecho
- h fr | impossible de me connecter à mon compte depuis hier
- c fr | mon compte a été piraté, quelqu'un a changé le mot de passe
- h de | Ich komme nicht mehr in mein Konto, Passwort zurücksetzen funktioniert nicht
- c de | Mein Konto wurde gehackt, es wurden Bestellungen aufgegeben, die ich nicht gemacht habe
- h pt | não consigo entrar na minha conta, a senha não funciona
- h it | non riesco ad accedere al mio account, il codice non arriva
- c it | mi hanno rubato l'account e hanno fatto ordini a mio nome
- h nl | ik kan niet inloggen, wachtwoord resetten werkt niet
- h pt | minha conta foi bloqueada e não consigo recuperar
-h | the verification code never arrives by text or call, can't get into my account
-h | reset my password twice and it still says account locked
-h | you deactivated my account and won't tell me why
-c | someone keeps trying to buy gift cards on my account
-h | got banned for no reason, how do I get my account back?
"""

BANKS["product_question"] = """
0n | does the {product} come in other colours?
0n | is the {wear} machine washable?
0n | will the {product} be back in stock soon?
0n | what's the difference between the {product} and the {product} pro?
0n | does the {eproduct} work with UK plugs?
0n | is the {wear} vegan? what's it made of
0n | what size should I get in the {wear}? I'm usually a medium
0n | how long does the battery last on the {gadget}?
0n | is the {product} suitable for kids?
0n | does the {product} come with a warranty? how long?
0n | can the air fryer basket go in the dishwasher?
0n | what are the dimensions of the {product}?
0n | is the {wear} waterproof or just water resistant?
+n | thinking of buying the {product} 😍 is it worth it over the cheaper one?
0n | does the {gadget} come with a charger or do I need to buy one?
0n | is the smart watch compatible with iPhone?
0n | will you restock the {wear} in size 8?
0n | where is the {product} made?
0n | what material is the {wear} made of?
0n | does the {wear} come in black?
0n | does the {wear} run small or true to size?
0n | in order to use the {eproduct}, do I need to download an app?
0n | how do I clean the {product}?
0n | is there a manual for the {eproduct} online?
0n | does the {wear} contain latex? allergic
0n | what's the weight limit on the {product}?
0n | do you sell replacement parts for the {product}?
0n | will the sale price on the {product} go any lower?
0n | how loud is the {eproduct}? need something quiet for a small flat
0n | hey {brand}, is the new {wear} any good for running?
+n | love my {product}! does it come in a bigger size too?
0n | is the snack range gluten free? my son is coeliac
0n | does the {eproduct} have an auto shut-off?
0n | can the {product} be used outdoors?
0n | anyone know if the {brand} {product} is the same as last year's model?
0n | what warranty do you give on refurbished {products}?
0n | are batteries included with the {eproduct}?
0n | is the {brand} {product} actually durable or is that just marketing? thinking of buying one
0n | does the {eproduct} support 220V? moving abroad
0n | how many watts is the {eproduct}?
0n | can I get the {product} engraved?
0n | does the {wear} shrink in the wash?
0n | is the {product} in the ad the same one you sell in store?
0 n es | ¿el {product} viene en otros colores?
0 n es | ¿el {product} tiene garantía?
0 n fr | le {product} est garanti combien de temps ?
0 n fr | le {product} sera-t-il de nouveau en stock ?
0 n de | Gibt es den {product} auch in Schwarz?
0 n de | Hat der {product} Garantie und wie lange?
0 n pt | o {product} tem garantia de quanto tempo?
0 n it | il {product} è disponibile anche in nero?
0 n it | il {product} ha la garanzia?
0 n nl | is de {product} ook in het zwart verkrijgbaar?
0 n nl | wat is het verschil tussen de {product} en de pro versie?
0 n pt | o {product} vem em outras cores?
"""

BANKS["store_info"] = """
0n | what time does the {city} store open on {day}?
0n | are you open on the bank holiday monday?
0n | is the {city} branch still open? google says permanently closed
0n | do you have a store near {city}?
0n | what are your customer service hours?
0n | is there parking at the {city} store?
0n | can I order online and pick up in store?
0n | do you deliver to {city}?
0n | do you ship to Ireland?
0n | what's your customer service phone number? can't find it anywhere
0n | is your {city} store wheelchair accessible?
0n | do you accept apple pay in store?
0n | do you price match?
0n | what's the cut-off time for next day delivery?
0n | do you have a student discount?
0n | what time does the click and collect desk close?
0n | are you open on christmas eve? what hours?
0n | does the {city} store have toilets?
0n | where's the nearest {brand} to {city} city centre?
0n | hey {brand}, do you still do the loyalty card?
0n | do you do international shipping? how much to Canada?
0n | is the outlet in {city} closing down? heard rumours
0n | what's the best way to contact you other than twitter?
0n | how long do deliveries usually take to {city}?
0n | are dogs allowed in the {city} store? 🐶
+n | heading to the {city} store tomorrow 🙌 what time do you close?
0n | is the {city} store open late on thursdays?
0n | do you sell gift cards? can they be used online?
0n | is there a {brand} at {city} airport?
0n | do you offer installation for the bigger items?
0n | what email address do I use for a formal complaint?
0n | are your opening hours different this week because of the holiday?
0n | do you have a live chat? can't find it on the website
0n | is the {city} store getting the new collection or is it online only?
0n | what payment methods do you accept? is klarna one?
0n | where is your head office? need to send a letter
0n | do you have a recycling scheme for old {products}?
0n | how late is the {city} store open tonight
0n | does {brand} do free delivery on first orders?
0n | can I book an appointment at the {city} store?
0n | where can I find your terms and conditions?
0n | which {brand} stores in {city} have a repair desk?
0n | do you deliver on sundays?
0 n es | ¿a qué hora abre la tienda de {city} el {day}?
0 n es | ¿hacéis envíos a Canarias?
0 n fr | le magasin de {city} est ouvert le dimanche ?
0 n fr | quels sont vos horaires d'ouverture pendant les fêtes ?
0 n de | Habt ihr am Feiertag geöffnet?
0 n de | Wo ist die nächste Filiale in der Nähe von {city}?
0 n pt | a loja de {city} abre aos domingos?
0 n pt | vocês entregam em {city}?
0 n it | a che ora chiude il negozio di {city}?
0 n it | fate spedizioni in Svizzera?
0 n nl | is de winkel in {city} op zondag open?
0 n nl | wat zijn de openingstijden van de klantenservice?
"""

BANKS["outage_or_bug"] = """
-h | is the {brand} app down? won't load for me
-h | website is down again. can't check out
-h | {err} on checkout, been trying for an hour
-h | the app crashes every time I open it since the {version} update
-h | anyone else's {brand} app not working? just a white screen
-h | checkout is broken on mobile, the pay button does nothing
-h | your site has been down for 2 hours. is there an outage?
-h | the payment page times out every time. tried 2 cards
-h | down for everyone or just me? the {brand} website won't load
0h | hi, getting {err} when I try to pay, is there a known issue?
-h | the app crashes on Android 14 whenever I tap my orders
-h | the basket empties itself every time I go to checkout
-h | can't add anything to my basket, the button is greyed out. chrome on windows
-n | small bug: dark mode makes the prices invisible on the product page
0n | typo on your homepage banner lol "free shiping"
0n | fyi the store locator map isn't loading on firefox
-n | search is broken, typing "{product}" returns nothing
-h | your API has been returning 500s for 20 minutes
-h | the status page says all green but nothing works lol
-h | order confirmation emails aren't sending? tried 3 times and the site says success
-h | {brand} outage again? third time this week
-h | pages just spin forever. is the {brand} website dead?
-h | app stuck on the loading screen since this morning
-n | the size filter doesn't work, it shows everything
-n | images aren't loading on product pages, just grey boxes
-h | getting "something went wrong" on every page
-n | the app's notification settings don't save
-h | your whole site is returning 502. HN hug of death?
-n | bug report: adding a promo code refreshes the page and clears my basket
-h | can't place any order, error at the payment step. {err}
0n | the app shows the wrong currency since the {version} update
-n | the "track my order" button leads to a 404
-h | nothing loads in the {brand} app on iOS 18. reinstalled twice
-h | sick of {brand} crashing every time I try to pay
-h | wow the app is down on black friday, who could have predicted 🙃
-n | the website shows items in stock that aren't, then errors at checkout
-h | your site's been down since {time}, any ETA?
0n | minor thing: the size guide popup can't be closed on mobile
-h | downdetector is lighting up for {brand}, what's going on
-h | checkout says my address is invalid for every address I try, nobody can order
0n | heads up, the links in your newsletter all go to a 404 page
-n | the app's barcode scanner just shows a black screen
- h es | ¿se ha caído la web? no carga nada
- h es | la app se cierra sola cada vez que intento pagar
- h fr | le site est en panne ? impossible de payer
- h fr | l'appli plante depuis la mise à jour
- h de | Ist die App down? Bekomme nur {err}
- h de | Die Website lädt seit heute Morgen nicht
- h pt | o site caiu? não consigo finalizar a compra
- h it | l'app non funziona, continua a crashare
- h nl | de website ligt eruit, ik kan niet afrekenen
- n nl | kleine bug: de zoekfunctie geeft geen resultaten
- h it | il sito è giù da stamattina?
- h pt | o app trava toda vez que abro
-h | no internet in the whole house since this morning, fix it
-h | phone says no service for two weeks now and nobody can tell me why
-n | wifi keeps dropping every few minutes, rebooted the router three times
-n | paying for 300 down and getting 15. what's going on?
-n | the stream freezes every time I skip forward, on every show
-n | game update won't download, stuck at 0% {link}
-h | tv says error {err} on every channel, reboot didn't help
-n | since the latest update my {gadget} is painfully slow
-n | app keeps crashing when I try to pay, tried reinstalling
0n | anyone else getting no signal in {city} right now?
-n | my playlist is missing half the songs since yesterday
-h | when will service be restored? no estimate anywhere
"""

BANKS["service_complaint"] = """
-n | your customer service is a joke. 45 mins on hold then cut off
-n | staff at the {city} store were so rude to my mum today
-n | asked a simple question 4 days ago and still no reply
-n | the chat agent closed the chat on me mid sentence. brilliant service
-n | worst customer service I've ever experienced. never again {brand}
-n | been passed between 5 different departments and nobody can help
-n | the manager at the {city} branch laughed at me when I asked for help
-n | you replied with a copy-paste answer that had nothing to do with my question
-n | your chatbot is useless. I need a human
-n | the queue at the {city} store was 40 mins with one till open. sort it out
-n | how is it that every time I call, the line just disconnects
-n | thanks for the "we value your feedback" email and zero actual help 🙃
-n | a security guard followed me round the store like I was a thief. humiliating
-n | promised a callback "within 24 hours" last week. still waiting
-n | {brand} used to be great. the service has gone downhill badly
-n | your delivery driver was rude and threw the parcel at my door
-n | the person at the till was on her phone the whole time and ignored me
-n | emailed 3 times, got 3 different answers
-n | why do you close the phone lines at 5pm? people work
-n | your "support" told me to clear my cookies. for an in-store problem.
-n | the {city} store is filthy. dirty floors, broken trolleys
-n | I'm done with {brand}. terrible service, overpriced, never again
-n | so disappointed with how I was treated today at the {city} branch
-n | took 3 weeks to answer an email. 3 weeks
-n | the agent I spoke to, {name}, hung up on me
-n | I use a wheelchair and nobody at the {city} store would help me reach anything
-n | your complaints process is designed to make people give up
-n | #neveragain {brand}. shocking service from start to finish
-n | your twitter team replies faster than your actual support, which says a lot
-n | oh look, another automated reply. very helpful 👏
-n | the new self-checkouts in {city} are awful and there's no staff around to help
-n | sat on hold for over an hour, again
-n | you guys really don't care about your customers anymore
-n | not impressed. the "priority" line is anything but
-n | spent an hour on live chat to be told to email instead. unreal
-n | staff at {city} refused to help because "that's an online thing"
-c | slipped on a wet floor in the {city} store, no sign, hurt my back. nobody helped
-c | I will be taking legal action over how I was treated by your staff
-c | your security staff grabbed my arm in the {city} store. I'm reporting this to the police
-c | my solicitor will be contacting you about the way your manager spoke to me
-c | a display shelf fell on my son in your {city} store and staff just walked off
-n | asked for a manager and was told there isn't one. at a store with 20 staff
- n es | la atención al cliente es pésima, nadie contesta
- n es | el personal de la tienda de {city} fue muy maleducado
- n fr | service client catastrophique, 1h d'attente pour rien
- n fr | très déçu de l'accueil au magasin de {city}
- n de | Euer Kundenservice ist eine Katastrophe. Keiner antwortet
- n de | Unfreundliches Personal in der Filiale in {city}
- n pt | atendimento horrível, ninguém resolve nada
- n it | servizio clienti pessimo, attesa infinita al telefono
- n nl | wat een slechte klantenservice, niemand reageert
- c es | voy a denunciaros por cómo me trató vuestro personal
- c fr | je vais porter plainte contre votre magasin
- c de | Ich schalte meinen Anwalt ein, so geht man nicht mit Kunden um
-n | train late again. every single week. not acceptable
-n | flight delayed 3 hours and not one update from the crew
-n | no one replies to my messages. 5 days now
-n | spent an hour on the phone and got hung up on twice
-n | the driver was rude and took the longest route possible
-n | worst customer service I've dealt with, and I've dealt with a lot
-n | still waiting on someone to actually fix this, thanks for nothing {link}
-n | told to go to a store, store told me to call. going round in circles
-n | sat at the gate for 40 min with the doors shut and zero info
-n | great, a reply 8 hours later after it fixed itself 🙃
"""

BANKS["praise"] = """
+l! | shoutout to {name} at the {city} store, went above and beyond today
+l | just got my {product} and I'm obsessed 😍
+l! | {brand} customer service is top tier. sorted my issue in 5 mins
+l! | ordered {day}, arrived next morning. impressed!
+l | the new {wear} is fire 🔥
+l! | the staff in {city} are so down to earth and helpful
+l | honestly the best {product} I've ever owned
+l! | thank you {brand} for replacing my {product} so quickly, really appreciated
+l! | {name} on live chat was brilliant, thanks!
+l! | my order came a day early 🙌 love you {brand}
+l! | never had a bad experience with {brand}. 10/10
+l | you guys are killing it with the new collection
+l! | wow, fastest refund I've ever had. thanks {brand}
+l | the {product} was worth every penny
+l! | genuinely impressed with how {brand} handled my complaint
+l! | {brand} never misses 💯
+l! | big thanks to the delivery driver who waited while I ran down 3 flights of stairs
+l | love the packaging, all recyclable 👏
+l | been using my {product} every day for a year and it still looks new
+l! | whoever runs the {brand} social account deserves a raise 😂
+l! | quick shoutout to {brand} for the birthday discount, made my day
+l! | the {city} store refit looks amazing
+l! | 5 stars. quick delivery, great quality, will order again
+l! | I was dreading calling support but {name} made it so easy. thank you!
+l | the {brand} app update is so much smoother. nice work
+l | the {product} is a game changer for my mornings
+l! | ok I take it back, {brand} sorted it and sent a gift card. class act
+l! | finally a company that actually answers on here. thanks {brand}
+l! | the team at {city} fixed my {eproduct} on the spot. legends
+l | my kid loves the {product} 🥰
+l! | just wanted to say thanks for the handwritten note in my parcel ❤️
+l | this {wear} slaps
+l! | customer for life after today
+l | low key obsessed with the new {wear}
+l! | easiest return I've ever done, no questions asked. thank you
+l! | {brand} support > every other company's support
+l! | came for the {product}, stayed for the amazing service
+l! | props to {brand} for the price match, saved me {amount}
+l | sick deal on the {product}, cheers {brand} 🤙
+l! | hats off to the team in {city}, best shopping experience in ages
+l | my {gadget} is fully charged in 20 minutes, battery life is insane
+l! | order arrived perfectly packed, not a scratch. well done {brand}
+l! | didn't expect a reply on a sunday, you lot are great
+ l es | ¡me encanta mi nuevo {product}! gracias {brand} 😍
+ l es | atención de 10 en la tienda de {city}, muy amables
+ l fr | super service client, merci {brand} !
+ l fr | livraison rapide et produit nickel, je recommande
+ l de | Top Service, vielen Dank {brand}!
+ l de | Bin begeistert vom neuen {product}, absolute Empfehlung
+ l pt | amei o {product}, chegou super rápido!
+ l pt | atendimento nota 10, obrigado {brand}
+ l it | servizio clienti eccezionale, grazie {brand}!
+ l it | adoro il mio nuovo {product} ❤️
+ l nl | top service van {brand}, snel geholpen!
+ l nl | supertevreden met mijn {product}
+l | that fixed it, thanks!
+l | all sorted now, thank you
+l | thanks for the quick reply, it works now
+l | massive thank you to the crew on today's flight, amazing service
+l | delivered in 2 hours flat 👏
+l | thanks for the help today, really appreciated
"""

BANKS["feature_request"] = """
0l | would be great if the app had a dark mode
0l | please add apple pay at checkout
0l | can you add a wishlist to the app?
0l | any chance of a size filter on the sale page?
+l | love the app, but a reorder button for past orders would be amazing
0l | please bring back the {wear} in the old colour
0l | could you add a way to save more than one delivery address?
0l | would love an option to choose plastic-free packaging
0l | suggestion: let us pick a delivery time slot
0l | can we get notifications when items are back in stock?
0l | it'd be nice if the website showed stock per store
0l | feature request: let me export my order history as CSV
0l | please add klarna or paypal pay in 3
0l | would be cool if you did a vegan version of the {wear}
0l | idea: a loyalty points tracker in the app
0l | can you make the {wear} in longer lengths? tall people exist
0l | please open a store in {city}!! 🙏
0l | any plans for an Android widget?
0l | please let us turn off the autoplay videos on the homepage
-l | why is there still no way to edit an order after placing it? please add that
0l | add a "leave in a safe place" option at checkout please
0l | you should do a subscription for {product} refills
0l | how about a student discount? just saying
0l | request: a proper filter by price on search
+l | your app is great, the only thing missing is a barcode scanner for in-store prices
0l | make the app available on iPad please, the phone version is tiny
0l | can you start shipping to Iceland?
0l | it would help a lot if receipts were emailed, not just printed
0l | would be nice to have a gift wrapping option
0l | plz add more colours for the {wear}
0l | can you add an accessibility mode with bigger text?
0l | would love a changelog or RSS feed for app updates
0l | suggestion for {brand}: let us split a payment between two cards
0l | dear {brand}, please do a kids' range of the {wear}
+l | the {product} is perfect, now please make a matching one for dogs 🐶
0l | can the app remember my size please
0l | consider adding a "notify me when the price drops" button?
0l | an open API for order tracking would be nice, just saying
-l | still no dark mode in this day and age? come on {brand}
0l | any chance you could stay open later on saturdays?
0l | bring back the paper catalogue!
0l | add a chat option in the app pls
0l | would love it if you sold refurbished {products}
0 l es | estaría genial que la app tuviera modo oscuro
0 l es | ¿podríais añadir el pago con Bizum?
0 l fr | ce serait top d'avoir un mode sombre dans l'appli
0 l fr | pourquoi pas ouvrir un magasin à {city} ?
0 l de | Bitte baut eine Wunschliste in die App ein
0 l de | Wäre super, wenn man ein Lieferzeitfenster wählen könnte
0 l pt | seria ótimo ter a opção de pagamento com Pix
0 l it | sarebbe bello poter salvare più indirizzi nell'app
0 l nl | graag een optie om achteraf in termijnen te betalen
+ l nl | top app, alleen nog een donkere modus graag!
0 l it | per favore aggiungete Satispay al checkout
0 l pt | podiam abrir uma loja em {city}
"""

BANKS["spam"] = """
0l | 🚀🚀 turn $100 into $5,000 in a week with crypto signals. DM me 💰 {spamlink}
0l | follow me and I'll follow back 💯 #f4f #followback
0l | earn {amount} a day working from home!!! link in bio
0l | {brand} giveaway!!! click here to claim your free {product} {spamlink}
0l | hey, your account has been flagged for violation. verify here {spamlink}
0l | exclusive content on my page 🔞 {spamlink}
0l | 1000 followers for $5, real and fast {spamlink}
0l | I make {amount} daily with this one trick, ask me how
0l | best replica watches, cheapest price {spamlink}
0l | {handle} {handle2} {handle3} win an iPhone 16, just RT and follow
0l | buy verified accounts, instant delivery {spamlink}
0l | hello dear, I am a financial advisor and I can help you recover your lost funds
0l | SEO services for your website, first page on google guaranteed {spamlink}
0l | 🔥🔥 {pct}% OFF everything at {spamlink} use code {promo}
0l | this is your sign to start investing in bitcoin today 📈 {spamlink}
0l | asdfghjkl
0l | hot singles in {city} want to meet you {spamlink}
0l | I'm a {brand} support agent, DM me your order number and email to get a refund 💸
0l | get your refund now!!! claim {amount} compensation from any airline {spamlink}
0l | order now and get 3 for 1 🔥 visit {spamlink}
0l | download free movies in HD, no signup {spamlink}
0l | {brand} {brand} {brand} {brand} test test
0l | congrats! you've been selected for a {amount} gift card. claim: {spamlink}
0l | new mixtape out now 🔥🎤 stream it {spamlink}
0l | looking for brand ambassadors!! DM us 💕 #ambassador #collab
0l | ur account will be suspended in 24h unless you confirm ur details {spamlink}
0l | make money online 💸💸💸 {spamlink}
0l | FREE {product} GIVEAWAY 🎁 follow + like + tag 3 friends
0l | essay writing service, cheap and fast, any subject {spamlink}
0l | forex trading signals with 98% accuracy, join my telegram
0l | weight loss pills that actually work {spamlink}
0l | promote your music to 1M listeners {spamlink}
0l | lottery winner notification: contact agent {handle} to collect
0l | we are hiring! work 2hrs/day and earn {amount} weekly. DM
0l | visit my shop for the best deals 👉 {spamlink}
0l | #crypto #nft #airdrop claim your tokens now {spamlink}
0l | in order to claim your prize, reply with your phone number 📱
0l | recover hacked accounts, fast service, DM {handle}
0l | your parcel could not be delivered, pay the {amount} redelivery fee here {spamlink}
0l | bulk SMS services cheap {spamlink}
0l | thanks for the follow! check out my new e-book 📚 {spamlink}
0l | 🎰 best online casino bonus 200% {spamlink}
0 l es | gana {amount} al día desde casa, escríbeme por privado 💰
0 l es | sorteo de un iPhone 📱 sigue y da RT
0 l fr | gagnez de l'argent facilement avec le trading {spamlink}
0 l fr | rencontres près de chez vous {spamlink}
0 l de | Schnell reich werden mit Krypto! Jetzt anmelden {spamlink}
0 l de | Gewinnspiel: Folge uns und gewinne einen Gutschein {spamlink}
0 l pt | ganhe dinheiro em casa, link na bio
0 l it | guadagna {amount} al giorno con questo metodo {spamlink}
0 l nl | verdien snel geld met crypto, stuur me een DM
0 l pt | sigam meu perfil 🔥 sigo de volta
0 l es | compra seguidores reales baratos {spamlink}
"""

BANKS["other"] = """
0l | anyone know if {brand} is hiring in {city}?
0l | {brand} shares up 4% today, interesting
+l | just saw the {brand} ad on TV, the dog in it 😂
0l | in order to finish this thesis I need a lot more coffee
0l | watching law and order reruns all weekend
-l | the new {brand} logo looks like every other logo now
-l | refund the hype, that film was mid
+l | my cat loves the {brand} box more than the thing that came in it lol
0l | is it just me or is everyone wearing {brand} at this conference
0l | fun fact: {brand} started as a bicycle shop in {city}
0l | who does {brand}'s marketing? asking for a uni project
0l | interesting read on how {brand} runs its warehouses {link}
0l | news: "{brand} to open 20 new stores next year" {link}
0l | can't believe it's already december. anyway
0l | hey {brand}, what's your favourite pizza topping? 🍕
0l | calm down everyone, it's just a sale
-l | down to the last week of the semester, send help
0l | charging my phone in the {brand} cafe while I wait for my train
+l | I ship these two characters so hard
+l | this track slaps 🔥
+l | caught the travel bug again ✈️
0l | crash course on consumer law for online shopping, a thread 🧵
0l | thread: 10 brands with the best replies on social media. {brand} is #3
0l | does anyone else remember when {brand} had the green logo?
0n | journalist at the {city} Herald here, who's the best contact at {brand} for a comment?
0n | hi {brand}, I run a small shop in {city} and would like to stock your products. who should I contact?
0n | applied for the warehouse job 2 weeks ago, any idea when you get back to applicants?
+l | RT if you remember the {brand} catalogues 😂
0l | tbh I don't even know why I follow {brand}
0l | the queue for the {brand} sale is wild, I'm just here for the vibes
0l | {brand} vs {brand2} for a {product}? discuss
0l | the {city} store is in the same building as my dentist lol
+l | my grandma calls every online shop "{brand}" 😂
0l | discussion on {brand}'s new privacy policy {link}
0l | someone said {brand} is owned by the same company as {brand2}, true?
0l | just walked past the {city} store, they're putting the christmas decorations up already
0l | the keyboard on my laptop is broken so excuse the typos
0l | my internet has been down all day so I'm only seeing this now
0l | power's out on my street, anyone else in {city}?
+l | {brand} season is here 🍂
0l | I'll be honest, I have no idea what {brand} actually sells
0l | "{brand} is the new {brand2}" is a wild take
0l | dreamt I worked at {brand} last night. weird
-l | refund my time, that meeting could have been an email
0l | I'm so down to earth I still shop at {brand} lol
-l | the way this season of the show ended, I want a refund 😭
0l | order of operations: coffee, emails, then pretend to work
0l | my dog destroyed another toy, at this point I should buy them in bulk
0l | shipping container prices are up again, logistics twitter is wild {link}
+l | tracking my steps, 20k today 💪
0l | life hack: the {brand} tote bag fits exactly one week of groceries
0l | locked in for exam season 🔒 see you all in june
-l | broke my phone screen again, unrelated to anything, just sad
0 l es | ¿alguien sabe si {brand} está contratando en {city}?
0 l es | en orden de importancia: café, siesta, trabajo 😂
0 l fr | quelqu'un a vu la nouvelle pub {brand} ? bizarre
0 l fr | lundi matin, café et courage
0 l de | Weiß jemand, ob {brand} in {city} Leute einstellt?
0 l de | Montag. Kaffee. Mehr sag ich nicht.
0 l pt | alguém sabe se a {brand} tá contratando?
0 l it | qualcuno sa se {brand} assume a {city}?
0 l nl | iemand die weet of {brand} nog mensen zoekt in {city}?
0 l nl | maandagochtend, koffie en gaan
+ l es | el anuncio nuevo de {brand} con el perro 😂 me encanta
0 l it | in ordine di importanza: caffè, lavoro, divano
0l | I DM'd you
0l | just sent it
0l | yep
0l | I did, twice
0l | done, check your DMs
0l | ok will do
0l | sent you a DM with the details
0l | here's the screenshot {link}
0l | {link}
0l | it's the {gadget}, version {version}
0l | {gadget}, app version {version}
0l | no, only on wifi
0l | which one?
0l | what do you mean by that?
0l | sometime after 2pm works for me
0l | full name is on the DM
0l | hope so!
0l | fingers crossed 🤞
0l | {handle} {handle2} {handle3} who's coming to the {city} one? {link}
0l | {handle} {handle2} haha this is so us {link}
0l | scores are in, we're still top 😎 {handle} {handle2}
0l | that's what we're here for! let us know if you need anything else ^{promo}
0l | happy to help, enjoy your day! *{promo}
0l | we're excited to announce our new partnership with {brand2} {link}
0n | news: {brand} outage yesterday affected thousands, says report {link}
0l | my {product} arrived in a box big enough for a fridge 😂 {link}
+l | costume on, free fries acquired 🎃 {link}
0l | nothing to see here, just me at the {brand} store again lol {link}
"""
